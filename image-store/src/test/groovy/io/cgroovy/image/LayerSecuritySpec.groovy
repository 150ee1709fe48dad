package io.cgroovy.image

import spock.lang.Specification
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path

/**
 * Crafted layer tars (containerd's archive test cases): every one must fail with a one-line
 * error naming the entry, write nothing outside the layer, and leave no layer or temp dir.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class LayerSecuritySpec extends Specification {
    Path root
    Path layers
    Path outside
    LayerUnpacker unpacker = new LayerUnpacker(64L << 20)

    def setup() {
        root = Files.createTempDirectory('cgroovy-sec')
        layers = Files.createDirectories(root.resolve('layers'))
        outside = Files.createDirectories(root.resolve('outside'))
        Files.writeString(outside.resolve('keep'), 'host file')
        Files.writeString(outside.resolve('target'), 'host target')
        Files.setPosixFilePermissions(outside.resolve('target'), java.nio.file.attribute.PosixFilePermissions.fromString('rw-r--r--'))
    }

    def cleanup() { TestImages.deleteTree(root) }

    private Path unpack(byte[] tar, String diffId = Digest.of(tar)) {
        def blob = root.resolve('blob')
        Files.write(blob, tar)
        def target = layers.resolve('L')
        unpacker.unpack(blob, Digest.of(tar), diffId, target)
        target
    }

    private boolean outsideUntouched() {
        TestImages.tree(outside) == ['keep', 'target'] as Set &&
                Files.readString(outside.resolve('keep')) == 'host file' &&
                Files.readString(outside.resolve('target')) == 'host target' &&
                TestImages.mode(outside.resolve('target')) == 0644
    }

    @Unroll
    def "rejects #why"() {
        given:
        def dest = outside.toString()
        byte[] tar = build(new TarMaker(), dest).bytes()

        when:
        unpack(tar)

        then:
        def e = thrown(ImageException)
        e.message.startsWith("layer ${Digest.of(tar)}: ")
        e.message.contains(message)
        !e.message.contains('\n')
        TestImages.tree(layers).isEmpty()   // no layer dir, no temp dir
        outsideUntouched()

        where:
        why                                         | message                                                    | build
        'a relative path up and out'                | "entry '../../etc/x' would be written outside the layer"   | { t, out -> t.file('ok', 'x').file('../../etc/x', 'pwned') }
        'dot-dot in the middle of a name'           | "entry 'a/../../x' would be written outside the layer"     | { t, out -> t.dir('a').file('a/../../x', 'pwned') }
        'an absolute name'                          | "entry '/abs' would be written outside the layer"          | { t, out -> t.file('/abs', 'pwned') }
        'a file through an absolute symlink'        | "entry 'a/keep' goes through symlink 'a'"                  | { t, out -> t.symlink('a', out).file('a/keep', 'pwned') }
        'a file through a symlink to /etc'          | "entry 'etc2/passwd' goes through symlink 'etc2'"          | { t, out -> t.symlink('etc2', '/etc').file('etc2/passwd', 'pwned') }
        'a symlink up and out'                      | "entry 'up/keep' goes through symlink 'up'"                | { t, out -> t.symlink('up', '../../outside').file('up/keep', 'pwned') }
        'chained relative symlinks a -> .., a/b'    | "entry 'a/b' goes through symlink 'a'"                     | { t, out -> t.symlink('a', '..').symlink('a/b', '..').file('a/b/keep', 'x') }
        'a symlink to a parent directory'           | "entry 'd/up/keep' goes through symlink 'd/up'"            | { t, out -> t.dir('d').symlink('d/up', '..').file('d/up/keep', 'x') }
        'a hard link up and out'                    | "hard link 'h' to '../../x' points outside the layer"      | { t, out -> t.hardlink('h', '../../x') }
        'a hard link to an absolute path'           | "hard link 'h' to '${'/etc/passwd'}' points outside"       | { t, out -> t.hardlink('h', '/etc/passwd') }
        'a hard link down and out via a symlink'    | "entry 'h' goes through symlink 'l'"                       | { t, out -> t.symlink('l', out).hardlink('h', 'l/keep') }
        'a hard link to a file not in the layer'    | "hard link 'h' to 'nothing', which is not in the layer"    | { t, out -> t.hardlink('h', 'nothing') }
        'a dir replaced by a symlink, then written' | "entry 'd/keep' goes through symlink 'd'"                  | { t, out -> t.dir('d').file('d/f', 'x').symlink('d', out).file('d/keep', 'pwned') }
        'a whiteout of the layer root .wh..'        | "whiteout '.wh..' would remove the layer's root or a parent" | { t, out -> t.file('.wh..', '') }
        'a whiteout of the parent .wh...'           | "whiteout 'd/.wh...' would remove the layer's root or a parent" | { t, out -> t.dir('d').file('d/.wh...', '') }
        'an empty whiteout .wh.'                    | "whiteout 'd/.wh.' would remove"                           | { t, out -> t.dir('d').file('d/.wh.', '') }
        'a whiteout through a symlink'              | "entry 'a/.wh.keep' goes through symlink 'a'"              | { t, out -> t.symlink('a', out).file('a/.wh.keep', '') }
        'an opaque whiteout through a symlink'      | "entry 'a/.wh..wh..opq' goes through symlink 'a'"          | { t, out -> t.symlink('a', out).file('a/.wh..wh..opq', '') }
        'a file below a regular file'               | "entry 'f/x': 'f' is not a directory"                      | { t, out -> t.file('f', 'x').file('f/x', 'y') }
    }

    def "a hard link to a symlink links the symlink itself; nothing chmods what it points to"() {
        given:
        def tar = new TarMaker().symlink('s', outside.resolve('target').toString()).hardlink('h', 's').bytes()

        when:
        def dir = unpack(tar)

        then:
        Files.isSymbolicLink(dir.resolve('h'))
        Files.readSymbolicLink(dir.resolve('h')) == outside.resolve('target')
        outsideUntouched()
    }

    def "a later layer entry that replaces a symlink replaces the link, not what it points to"() {
        given:
        def tar = new TarMaker().symlink('s', outside.resolve('target').toString()).file('s', 'layer file', 0600).bytes()

        when:
        def dir = unpack(tar)

        then:
        !Files.isSymbolicLink(dir.resolve('s'))
        Files.readString(dir.resolve('s')) == 'layer file'
        outsideUntouched()
    }

    def "a gzip bomb stops at the bound with a clear error and leaves nothing"() {
        given:
        def small = new LayerUnpacker(1L << 20)
        def tar = new TarMaker().file('zeros', new byte[8 << 20]).bytes()
        def gz = TarMaker.gzip(tar)
        def blob = root.resolve('bomb.gz')
        Files.write(blob, gz)

        when:
        small.unpack(blob, Digest.of(gz), Digest.of(tar), layers.resolve('L'))

        then:
        def e = thrown(ImageException)
        e.message == "layer ${Digest.of(gz)}: expands to more than 1048576 bytes; refusing it (gzip bomb?)"
        gz.length < 64 * 1024
        TestImages.tree(layers).isEmpty()
    }

    def "a sparse file cannot smuggle its holes past the bound"() {
        given: 'GNU tar stores a 64 MiB file of holes in a few blocks'
        def src = Files.createDirectories(root.resolve('sparse-src'))
        TestImages.run('truncate', '-s', '64M', src.resolve('holes').toString())
        def tarFile = root.resolve('sparse.tar')
        TestImages.run('tar', '--sparse', '-C', src.toString(), '-cf', tarFile.toString(), 'holes')
        def tar = Files.readAllBytes(tarFile)
        def small = new LayerUnpacker(1L << 20)
        def blob = root.resolve('sparse-blob')
        Files.write(blob, tar)

        when:
        small.unpack(blob, Digest.of(tar), Digest.of(tar), layers.resolve('L'))

        then:
        tar.length < 64 * 1024
        def e = thrown(ImageException)
        e.message == "layer ${Digest.of(tar)}: expands to more than 1048576 bytes; refusing it (gzip bomb?)"
        TestImages.tree(layers).isEmpty()
    }

    def "a dir listed twice keeps the later entry's mode"() {
        when:
        def dir = unpack(new TarMaker().dir('d', 0700).file('d/f', 'x').dir('d', 0755).bytes())

        then:
        TestImages.mode(dir.resolve('d')) == 0755
    }

    def "a layer whose content does not match its diff_id is refused and removed"() {
        given:
        def tar = new TarMaker().file('a', 'x').bytes()
        def wrong = 'sha256:' + '0' * 64

        when:
        unpack(tar, wrong)

        then:
        def e = thrown(ImageException)
        e.message == "layer ${Digest.of(tar)}: diff_id mismatch (config says $wrong, content is ${Digest.of(tar)})"
        TestImages.tree(layers).isEmpty()
    }

    def "a legit layer with symlinks, hard links, owners, modes and mtimes unpacks right"() {
        given:
        def tar = new TarMaker()
                .dir('bin').file('bin/busybox', 'BB', 0755)
                .symlink('bin/sh', 'busybox')
                .hardlink('bin/ash', 'bin/busybox')
                .dir('usr').dir('usr/bin').symlink('usr/bin/env', '../../bin/busybox')
                .dir('usr/lib').symlink('lib', 'usr/lib')
                .dir('etc').file('etc/real', 'r').symlink('etc/alt', '/etc/real')
                .dir('home/u', 0750, 1000, 1000).file('home/u/f', 'mine', 0640, 1000, 1000)
                .file('usr/bin/su', 'setuid', 04755)
                .dir('tmp', 01777)
                .file('./dot/slash', 'ok')
                .chardev('dev-null', 1, 3)
                .bytes()

        when:
        def dir = unpack(tar)

        then:
        Files.readSymbolicLink(dir.resolve('bin/sh')).toString() == 'busybox'
        Files.readString(dir.resolve('bin/sh')) == 'BB'
        Files.readString(dir.resolve('usr/bin/env')) == 'BB'
        Files.readSymbolicLink(dir.resolve('etc/alt')).toString() == '/etc/real'
        Files.isSameFile(dir.resolve('bin/ash'), dir.resolve('bin/busybox'))
        Files.getAttribute(dir.resolve('bin/ash'), 'unix:nlink') == 2
        Files.readSymbolicLink(dir.resolve('lib')).toString() == 'usr/lib'
        TestImages.mode(dir.resolve('bin/busybox')) == 0755
        TestImages.mode(dir.resolve('usr/bin/su')) == 04755     // setuid kept (see LayerUnpacker)
        TestImages.mode(dir.resolve('tmp')) == 01777
        TestImages.mode(dir.resolve('home/u')) == 0750
        Files.readString(dir.resolve('dot/slash')) == 'ok'
        !Files.exists(dir.resolve('dev-null'), java.nio.file.LinkOption.NOFOLLOW_LINKS)   // devices dropped
        Files.getLastModifiedTime(dir.resolve('bin/busybox')).toMillis() == 1000000000000L
        Files.getLastModifiedTime(dir.resolve('home/u')).toMillis() == 1000000000000L
        if (System.getProperty('user.name') == 'root') {
            assert Files.getAttribute(dir.resolve('home/u/f'), 'unix:uid') == 1000
            assert Files.getAttribute(dir.resolve('home/u'), 'unix:gid') == 1000
        }
        TestImages.tree(layers) == ['L'] + TestImages.tree(dir).collect { 'L/' + it } as Set
    }

    def "a tar that ends right after its last data (as umoci 0.4 writes them) unpacks; one cut inside a file does not"() {
        given:
        def full = new TarMaker().file('a', 'first').file('b', 'hi\n').bytes()
        def unpadded = Arrays.copyOf(full, 512 + 512 + 512 + 3)      // a: header+block, b: header + 3 data bytes
        def cut = Arrays.copyOf(full, 512 + 512 + 512 + 2)           // b's data cut short

        when:
        def dir = unpack(unpadded)

        then:
        Files.readString(dir.resolve('b')) == 'hi\n'

        when:
        AtomicFiles.deleteTree(dir)
        unpack(cut)

        then:
        def e = thrown(ImageException)
        e.message == "layer ${Digest.of(cut)}: entry 'b' is truncated"
        TestImages.tree(layers).isEmpty()
    }
}

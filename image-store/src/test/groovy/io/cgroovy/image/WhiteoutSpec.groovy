package io.cgroovy.image

import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

/** Whiteouts end up in the form overlayfs reads, proven by mounting the layers with the kernel. */
@Requires({ System.getProperty('user.name') == 'root' }) // mknod of whiteouts and trusted.* xattrs need root (CI is root)
class WhiteoutSpec extends Specification {
    Path root
    Path mnt

    def setup() { root = Files.createTempDirectory('cgroovy-wh') }

    def cleanup() {
        if (mnt != null) new ProcessBuilder('umount', mnt.toString()).start().waitFor()
        TestImages.deleteTree(root)
    }

    byte[] base = new TarMaker().dir('etc').file('etc/keep', 'k').file('etc/gone', 'g')
            .dir('d').file('d/old', 'o').bytes()
    byte[] upper = new TarMaker().dir('etc').file('etc/.wh.gone', '')
            .dir('d').file('d/.wh..wh..opq', '').file('d/new', 'n')
            .dir('d/locked', 0000, 1000, 1000).file('d/locked/secret', 's', 0000, 1000, 1000)
            .bytes()

    def "a .wh. file becomes a 0/0 character device and .wh..wh..opq the opaque xattr"() {
        given:
        def store = ImageStore.open(root)
        store.load(TestImages.dockerArchive(root.resolve('img.tar'), ['wh:1'], [base, upper]))

        when:
        def snap = store.snapshot('wh:1')
        def top = snap.layers()[1]
        def gone = top.resolve('etc/gone')

        then:
        ((Files.getAttribute(gone, 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int) & 0170000) == LibC.S_IFCHR
        Files.getAttribute(gone, 'unix:rdev', LinkOption.NOFOLLOW_LINKS) == 0L
        Files.getAttribute(gone, 'unix:uid', LinkOption.NOFOLLOW_LINKS) == 0
        opaque(top.resolve('d')) == 'y'
        !Files.exists(top.resolve('d/.wh..wh..opq'), LinkOption.NOFOLLOW_LINKS)
        !Files.exists(top.resolve('etc/.wh.gone'), LinkOption.NOFOLLOW_LINKS)
        opaque(top.resolve('etc')) == null

        when: 'the kernel stacks the two layers'
        mnt = Files.createDirectories(root.resolve('mnt'))
        TestImages.run('mount', '-t', 'overlay', 'overlay', '-o', "lowerdir=${snap.layers()[1]}:${snap.layers()[0]}", mnt.toString())

        then:
        Files.readString(mnt.resolve('etc/keep')) == 'k'
        !Files.exists(mnt.resolve('etc/gone'))
        !Files.exists(mnt.resolve('d/old'))
        Files.readString(mnt.resolve('d/new')) == 'n'
    }

    def "removing the image removes layer dirs holding whiteout devices and locked, foreign-owned dirs"() {
        given:
        def store = ImageStore.open(root)
        store.load(TestImages.dockerArchive(root.resolve('img.tar'), ['wh:1'], [base, upper]))
        def snap = store.snapshot('wh:1')
        assert TestImages.mode(snap.layers()[1].resolve('d/locked')) == 0

        when:
        store.remove('wh:1')

        then:
        store.list().isEmpty()
        TestImages.tree(root.resolve('layers')).isEmpty()
        TestImages.tree(root.resolve('blobs')) == ['sha256'] as Set
        TestImages.tree(root.resolve('images')).isEmpty()
    }

    private static String opaque(Path dir) {
        def buf = new byte[16]
        try {
            long n = LibC.INSTANCE.lgetxattr(dir.toString(), 'trusted.overlay.opaque', buf, buf.length)
            new String(buf, 0, n as int, 'UTF-8')
        } catch (com.sun.jna.LastErrorException e) {
            null // ENODATA: not opaque
        }
    }
}

package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

/**
 * Small files are written by a second thread while the tar is read (SmallFileWriter): whatever
 * meets a queued file (the same path again, a dir or link there, a hard link to it, a whiteout,
 * a child below it) must still happen after it, in the tar's order, and a failure on the writer's
 * thread is the same one-line error that leaves nothing.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class UnpackOrderSpec extends Specification {
    Path root
    Path layers
    LayerUnpacker unpacker = new LayerUnpacker(64L << 20)

    def setup() {
        root = Files.createTempDirectory('cgroovy-order')
        layers = Files.createDirectories(root.resolve('layers'))
    }

    def cleanup() { TestImages.deleteTree(root) }

    private Path unpack(byte[] tar) {
        def blob = root.resolve('blob')
        Files.write(blob, tar)
        def target = layers.resolve('L')
        unpacker.unpack(blob, Digest.of(tar), Digest.of(tar), target)
        target
    }

    def "thousands of files (more than the writer may hold at once) keep their content, mode, owner and mtime"() {
        given:
        def t = new TarMaker()
        def rnd = new Random(11)
        Map<String, byte[]> want = [:]
        (0..<3000).each { i ->
            if (i % 300 == 0) t.dir("d${i.intdiv(300)}")
            byte[] data = new byte[1000 + rnd.nextInt(6000)]
            rnd.nextBytes(data)
            String name = "d${i.intdiv(300)}/f$i"
            want[name] = data
            t.file(name, data, [0644, 0600, 0755, 04755][i % 4], i % 7, i % 5, 1000000000000L + i * 1000L)
        }
        t.file('big', new byte[FILE_LIMIT + 1], 0640)   // too big for the writer: written in order by the reader

        when:
        def dir = unpack(t.bytes())

        then:
        want.every { name, data -> Arrays.equals(Files.readAllBytes(dir.resolve(name)), data) }
        (0..<3000).every { i ->
            Path f = dir.resolve("d${i.intdiv(300)}/f$i")
            TestImages.mode(f) == [0644, 0600, 0755, 04755][i % 4] &&
                    Files.getLastModifiedTime(f).toMillis() == 1000000000000L + i * 1000L &&
                    (System.getProperty('user.name') != 'root' ||
                            (Files.getAttribute(f, 'unix:uid') == i % 7 && Files.getAttribute(f, 'unix:gid') == i % 5))
        }
        Files.size(dir.resolve('big')) == FILE_LIMIT + 1
        TestImages.mode(dir.resolve('big')) == 0640
        Files.getLastModifiedTime(dir.resolve('d3')).toMillis() == 1000000000000L   // dir times set after their files
    }

    def "#what"() {
        when:
        def dir = unpack(build(new TarMaker()).bytes())

        then:
        check(dir)

        where:
        what                                             | build                                                                 | check
        'a file written twice keeps the later content'   | { t -> t.file('f', 'first').file('f', 'second', 0600) }               | { d -> Files.readString(d.resolve('f')) == 'second' && TestImages.mode(d.resolve('f')) == 0600 }
        'a dir replaces the file before it'              | { t -> t.file('x', 'file').dir('x').file('x/y', 'in dir') }           | { d -> Files.isDirectory(d.resolve('x')) && Files.readString(d.resolve('x/y')) == 'in dir' }
        'a symlink replaces the file before it'          | { t -> t.file('s', 'file').symlink('s', 'elsewhere') }                | { d -> Files.readSymbolicLink(d.resolve('s')).toString() == 'elsewhere' }
        'a hard link to a queued file shares its inode'  | { t -> t.file('a', 'data', 0750).hardlink('b', 'a') }                 | { d -> Files.isSameFile(d.resolve('a'), d.resolve('b')) && Files.readString(d.resolve('b')) == 'data' }
        'a whiteout in the same layer removes the file'  | { t -> t.dir('w').file('w/gone', 'x').file('w/.wh.gone', '') }        | { d -> !Files.isRegularFile(d.resolve('w/gone'), LinkOption.NOFOLLOW_LINKS) }
        'an opaque whiteout keeps its layer\'s own files' | { t -> t.dir('o').file('o/a', 'x').file('o/.wh..wh..opq', '') }      | { d -> Files.readString(d.resolve('o/a')) == 'x' }   // it hides lower layers only (OCI)
        'a file in an implicit dir after queued files'   | { t -> t.file('p', '1').file('q/r/s', '2').file('q/r/t', '3') }       | { d -> Files.readString(d.resolve('q/r/s')) == '2' && Files.readString(d.resolve('q/r/t')) == '3' }
    }

    def "a file below a queued file is refused after it is written"() {
        when:
        unpack(new TarMaker().file('f', 'x').file('f/x', 'y').bytes())

        then:
        def e = thrown(ImageException)
        e.message.endsWith("entry 'f/x': 'f' is not a directory")
        TestImages.tree(layers).isEmpty()
    }

    def "a file the writer's thread cannot create is a one-line error naming it, and leaves nothing"() {
        given: 'a name longer than a file name may be (ENAMETOOLONG), after enough files that the writer is busy'
        def t = new TarMaker()
        (0..<200).each { t.file("f$it", 'x' * 5000) }
        String tooLong = 'n' * 300
        t.file(tooLong, 'x')
        (0..<200).each { t.file("g$it", 'y' * 5000) }
        def tar = t.bytes()

        when:
        unpack(tar)

        then:
        def e = thrown(ImageException)
        e.message == "layer ${Digest.of(tar)}: entry '${tooLong}': create failed (File name too long)".toString()
        TestImages.tree(layers).isEmpty()   // no layer dir, no temp dir: the writer stopped before the tree went
    }

    static final int FILE_LIMIT = SmallFileWriter.MAX_FILE
}

package io.cgroovy.image

import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

@spock.lang.Tag('kernel-agnostic') // no cgroup or namespace: the cgroup v2 guest run leaves it out (README)
class BusyboxImageSpec extends Specification {
    Path root

    def setup() { root = Files.createTempDirectory('cgroovy-bb') }

    def cleanup() { TestImages.deleteTree(root) }

    def "the default busybox image is built from the host binary, with an applet link per command"() {
        given:
        def store = ImageStore.open(root)

        when:
        def rec = store.ensureDefaultBusybox()
        def snap = store.snapshot('busybox')
        def layer = snap.layers()[0]

        then:
        rec.tags() == ['busybox:latest']
        rec.id().startsWith('sha256:')
        store.inspect('docker.io/library/busybox:latest') == rec
        snap.layers().size() == 1
        snap.config().config.cmd == ['sh']
        snap.config().config.env == ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']
        snap.config().architecture == 'amd64'
        snap.config().os == 'linux'
        snap.config().history.size() == 1
        Files.readSymbolicLink(layer.resolve('bin/sh')).toString() == 'busybox'
        ['ps', 'hostname', 'cat', 'true', 'sleep', 'mkdir', 'dd'].every { Files.isSymbolicLink(layer.resolve("bin/$it")) }
        Files.readString(layer.resolve('etc/passwd')).startsWith('root:x:0:0:root:/root:/bin/sh\n')
        Files.readString(layer.resolve('etc/passwd')).contains('nobody:x:65534:65534:')
        Files.exists(layer.resolve('etc/group'))
        !Files.exists(layer.resolve('etc/hostname'))
        TestImages.mode(layer.resolve('tmp')) == 01777
        TestImages.mode(layer.resolve('root')) == 0700
        ['proc', 'sys', 'dev'].every { Files.isDirectory(layer.resolve(it)) }
        Files.mismatch(layer.resolve('bin/busybox'), Path.of('/bin/busybox')) == -1L
    }

    @Requires({ System.getProperty('user.name') == 'root' })
    def "the unpacked image runs: chroot into it and use the applets"() {
        given:
        def store = ImageStore.open(root)
        store.ensureDefaultBusybox()
        def layer = store.snapshot('busybox:latest').layers()[0]

        when:
        def out = TestImages.run('chroot', layer.toString(), '/bin/sh', '-c', 'echo hi; mkdir /tmp/x && cat /etc/passwd | head -1; id -u')

        then:
        out == 'hi\nroot:x:0:0:root:/root:/bin/sh\n0\n'
    }

    def "the same host busybox gives the same image id; a second call is a no-op"() {
        given:
        def other = Files.createTempDirectory('cgroovy-bb2')

        when:
        def store = ImageStore.open(root)
        def a = store.ensureDefaultBusybox()
        def record = root.resolve('images').resolve(Digest.hex(a.id()) + '.json')
        def written = Files.getLastModifiedTime(record)
        def again = store.ensureDefaultBusybox()
        def b = ImageStore.open(other).ensureDefaultBusybox()

        then:
        again == a
        Files.getLastModifiedTime(record) == written
        b.id() == a.id()
        b.manifestDigest() == a.manifestDigest()

        cleanup:
        TestImages.deleteTree(other)
    }

    def "without busybox-static the error says what to install and nothing is written"() {
        given:
        def store = ImageStore.open(root)

        when:
        store.ensureDefaultBusybox(root.resolve('no-such-busybox'))

        then:
        def e = thrown(ImageException)
        e.message == 'busybox-static is not installed: apt-get install busybox-static'
        store.list().isEmpty()
        TestImages.tree(root.resolve('blobs')) == ['sha256'] as Set
    }
}

package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** Volumes, binds, tmpfs, and kept containers' diff, copy and commit, with the real engine (root). */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class VolumesAndCommitSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('vol')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def cleanup() {
        engine.keptContainers().each { engine.removeContainer(it.id()) }
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.alive }.count() == 0
    }

    private Object eval(String code) { fixture.eval(code, out, err) }

    def "a named volume's data survives the container's removal, until rmVolume"() {
        when:
        Container w = eval("container('busybox') { volume 'data', '/data'; run 'echo kept > /data/f' }")
        Container r = eval("container('busybox') { volume 'data', '/srv', readOnly: true; run 'cat /srv/f; touch /srv/g' }")

        then:
        w.exitCode == 0
        out.toString().startsWith('kept\n')
        r.exitCode != 0
        err.toString().contains('Read-only file system')
        eval('volumes()') == ['data']
        Files.readString(engine.volumes().path('data').resolve('f')) == 'kept\n'

        when:
        eval("rmVolume 'data'")

        then:
        eval('volumes()') == []
    }

    def "an anonymous volume goes with its container"() {
        when:
        Container c = eval("container('busybox') { keep true; volume '/cache'; run 'echo x > /cache/f' }")
        List<String> during = (List<String>) eval('volumes()')
        c.rm()

        then:
        c.exitCode == 0
        during.size() == 1 && during[0] ==~ /[0-9a-f]{64}/
        eval('volumes()') == []
    }

    def "a read-only bind cannot be written; a writable one can"() {
        given:
        Path host = Files.createDirectories(tmp.resolve('bind-' + UUID.randomUUID()))
        Files.writeString(host.resolve('in.txt'), 'from the host\n')

        when:
        Container ro = eval("container('busybox') { bind '${host}', '/in', readOnly: true; run 'cat /in/in.txt; echo x > /in/out.txt' }")

        then:
        ro.exitCode != 0
        out.toString() == 'from the host\n'
        err.toString().contains('Read-only file system')
        !Files.exists(host.resolve('out.txt'))

        when:
        Container rw = eval("container('busybox') { bind '${host}', '/in'; run 'echo x > /in/out.txt' }")

        then:
        rw.exitCode == 0
        Files.readString(host.resolve('out.txt')) == 'x\n'
    }

    def "tmpfs gets its size; a bind of a missing host path is one line"() {
        when:
        Container c = eval("container('busybox') { tmpfs '/scratch', size: '8m'; run 'grep \" /scratch \" /proc/mounts' }")

        then:
        c.exitCode == 0
        out.toString() =~ /tmpfs \/scratch tmpfs rw,nosuid,nodev.*size=8192k/

        when:
        eval("container('busybox') { bind '/nonexistent-${UUID.randomUUID()}', '/x'; run 'true' }")

        then:
        DslException e = thrown()
        e.message.contains('does not exist')
    }

    def "commit then run shows the change, and a deleted file stays deleted"() {
        when:
        Container c = eval("""container('busybox') {
            keep true
            run 'echo hello > /hello.txt && rm /etc/group && mkdir -p /opt/app && echo 1 > /opt/app/v'
        }""")

        then:
        c.exitCode == 0
        c.diff()*.toString() == ['C /etc', 'D /etc/group', 'A /hello.txt', 'A /opt', 'A /opt/app', 'A /opt/app/v']

        when:
        Image img = c.commit('committed:1', 'a test commit')
        c.rm()
        Container again = eval("container('committed:1') { run 'cat /hello.txt /opt/app/v; test -e /etc/group || echo group-gone; cat /etc/passwd | head -1' }")

        then:
        img.tags == ['committed:1']
        again.exitCode == 0
        out.toString() == 'hello\n1\ngroup-gone\nroot:x:0:0:root:/root:/bin/sh\n'
        engine.images().config('committed:1').history.last().comment == 'a test commit'
    }

    def "a directory removed and made again is opaque in the commit: the image's files below it stay hidden"() {
        given:
        eval("image('opq:1') { from 'busybox'; run 'mkdir /d && echo a > /d/a && echo b > /d/b' }")
        out.reset()

        when:
        Container c = eval("container('opq:1') { keep true; run 'rm -rf /d && mkdir /d && echo c > /d/c && rm /bin/cat' }")
        Image img = c.commit('opq:2')
        c.rm()
        String id = img.id.substring(7)
        Map record = new com.fasterxml.jackson.databind.ObjectMapper().readValue(engine.root().resolve("images/${id}.json").toFile(), Map)
        String layer = (record.layers as List<String>).last().substring(7)
        List<String> entries = ['tar', '-tf', engine.root().resolve("blobs/sha256/${layer}").toString()].execute().text.readLines()
        Container again = eval("container('opq:2') { run 'ls', '/d' }")

        then: 'the layer says it as Docker does: an opaque marker in the dir, a whiteout for the file'
        entries.contains('d/.wh..wh..opq')
        entries.contains('bin/.wh.cat')
        !entries.any { it == 'd/a' || it == 'd/b' }
        again.exitCode == 0
        out.toString() == 'c\n'
    }

    def "copyIn and copyOut move files between the host and a kept container"() {
        given:
        Path src = Files.createDirectories(tmp.resolve('src-' + UUID.randomUUID()))
        Files.writeString(src.resolve('a.txt'), 'A\n')
        Files.createDirectories(src.resolve('sub'))
        Files.writeString(src.resolve('sub/b.txt'), 'B\n')
        Path dest = Files.createDirectories(tmp.resolve('dest-' + UUID.randomUUID()))

        when:
        Container c = eval("container('busybox') { keep true; run 'echo made > /etc/made' }")
        c.copyIn(src.toString(), '/etc')
        c.copyOut('/etc', dest.toString())
        Image img = c.commit('copied:1')
        c.rm()
        eval("container('copied:1') { run 'cat /etc/${src.fileName}/sub/b.txt' }")

        then:
        Files.readString(dest.resolve("etc/${src.fileName}/a.txt")) == 'A\n'
        Files.readString(dest.resolve('etc/made')) == 'made\n'
        Files.readString(dest.resolve('etc/passwd')).startsWith('root:')
        out.toString() == 'B\n'
        img.tags == ['copied:1']
    }

    def "a mount destination that is a symlink in the image is refused, nothing lands on the host's /etc"() {
        given:
        String mountsBefore = new File('/proc/self/mountinfo').text
        Container c = eval("container('busybox') { keep true; run 'ln -s /etc /data' }")
        c.commit('linky:1')
        c.rm()

        when:
        eval("container('linky:1') { volume 'sneaky', '/data'; run 'touch /data/pwned' }")

        then:
        Throwable e = thrown()
        Errors.message(e).contains('/data')
        Errors.message(e).contains('symlink')
        !Files.exists(Path.of('/etc/pwned'))
        new File('/proc/self/mountinfo').text == mountsBefore
        Files.list(engine.volumes().path('sneaky')).withCloseable { it.count() } == 0

        cleanup:
        engine.volumes().exists('sneaky') && engine.volumes().remove('sneaky')
    }

    def "mistakes in mount words are one line with the word"() {
        when:
        eval("container('busybox') { volume 'data', 'relative'; run 'true' }")

        then:
        DslException e = thrown()
        e.message.contains('must be absolute')

        when:
        eval("container('busybox') { tmpfs '/t', sise: '1m'; run 'true' }")

        then:
        DslException e2 = thrown()
        e2.message.contains("unknown option 'sise'")
    }

    def "diff of a container run without keep says how to keep it"() {
        when:
        Container c = eval("container('busybox') { run 'true' }")
        c.diff()

        then:
        DslException e = thrown()
        e.message.contains('keep true')
    }
}

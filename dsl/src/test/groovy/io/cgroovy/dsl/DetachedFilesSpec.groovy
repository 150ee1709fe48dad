package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerException
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.ExecSettings
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.fs.ContainerFiles
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * diff, copyIn, copyOut and commit of detached containers, as a Docker user does them: running
 * (paused meanwhile, running again after), paused, exited, and found by another JVM with ps(all: true).
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(400)
class DetachedFilesSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('dfiles')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String cgroupParent = fixture.cgroupParent

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    // each feature removes its containers before the cgroup leak check that follows it
    def cleanup() { fixture.removeContainers() }

    private Object eval(String code) { fixture.eval(code, out, err) }

    private String exec(Container c, String... argv) {
        def o = new ByteArrayOutputStream()
        int code = engine.exec(c.id, new ExecSettings(argv as List, null, null, null), Stdio.of(null, o, o))
        assert code == 0: o.toString()
        o.toString()
    }

    /** Waits until the container's diff shows {@code want} (it writes its files once started). */
    private static List<String> diffOnce(Container c, List<String> want) {
        long end = System.currentTimeMillis() + 60_000
        List<String> d = c.diff()*.toString()
        while (!d.containsAll(want) && System.currentTimeMillis() < end) {
            Thread.sleep(100)
            d = c.diff()*.toString()
        }
        d
    }

    private Path hostDir(String what) { Files.createDirectories(tmp.resolve(what + '-' + UUID.randomUUID())) }

    def "a running detached container: diff, copyOut, copyIn and commit, and it runs on"() {
        given:
        Path src = hostDir('src')
        Files.writeString(src.resolve('in.txt'), 'IN\n')
        Path dest = hostDir('dest')

        when:
        Container c = eval("""container('busybox') { detach(); name 'live'; tmpfs '/scratch'
                run 'sh', '-c', 'echo x > /f; echo t > /scratch/t; rm /etc/group; sleep 300' }""")
        List<String> d = diffOnce(c, ['A /f', 'D /etc/group'])

        then: 'the diff shows what it wrote and deleted, nothing of the tmpfs'
        d == ['C /etc', 'D /etc/group', 'A /f']
        c.status == 'running'

        when: 'files are copied out: its tmpfs is copied as the container sees it'
        c.copyOut('/f', dest.toString())
        c.copyOut('/scratch', dest.toString())

        then:
        Files.readString(dest.resolve('f')) == 'x\n'
        Files.readString(dest.resolve('scratch/t')) == 't\n'

        when: 'a file is copied in: the running container sees it at once, in its root and in its tmpfs'
        c.copyIn(src.resolve('in.txt').toString(), '/etc')
        c.copyIn(src.resolve('in.txt').toString(), '/scratch/')

        then:
        exec(c, 'cat', '/etc/in.txt', '/scratch/in.txt') == 'IN\nIN\n'
        c.status == 'running'

        when: "committed as in the issue's example"
        Image img = c.commit('mine:1')

        then: 'it was paused for the commit and runs again'
        img.tags == ['mine:1']
        c.status == 'running'
        exec(c, 'cat', '/f') == 'x\n'

        when: 'the image runs: the written and copied files are there, the deleted one is not, the tmpfs left nothing'
        eval("container('mine:1') { run 'sh', '-c', 'cat /f /etc/in.txt; test -e /etc/group || echo gone; ls -A /scratch; echo end' }")

        then:
        out.toString() == 'x\nIN\ngone\nend\n'
    }

    def "a paused container stays paused after a commit; commit(pause: false) does not pause"() {
        when:
        Container c = eval("container('busybox') { detach(); run 'sh', '-c', 'echo p > /p; sleep 300' }")
        diffOnce(c, ['A /p'])
        c.pause()
        c.commit('paused:1')

        then:
        c.status == 'paused'

        when:
        c.unpause()
        Image img = c.commit('unpaused:1', pause: false)

        then:
        c.status == 'running'
        img.tags.contains('unpaused:1')

        when:
        c.commit('x:1', pauze: false)

        then:
        DslException e = thrown()
        e.message.contains("unknown option 'pauze'")
    }

    def "an exited detached container: diff, copyIn, copyOut; start sees the copied file; commit"() {
        given:
        Path src = hostDir('src')
        Files.writeString(src.resolve('in.txt'), 'IN\n')
        Path dest = hostDir('dest')

        when:
        Container c = eval("""container('busybox') { detach(); name 'ended'
                run 'sh', '-c', 'echo y >> /y; cat /in.txt' }""")
        int first = c.wait()

        then: 'its first run had no /in.txt'
        first == 1
        c.status == 'exited'
        c.diff()*.toString() == ['A /y']

        when:
        c.copyIn(src.resolve('in.txt').toString(), '/')
        c.copyOut('/y', dest.toString())
        c.start()
        int second = c.wait()
        out.reset()
        c.logs()

        then:
        second == 0
        Files.readString(dest.resolve('y')) == 'y\n'
        out.toString().contains('IN\n')

        when:
        c.commit('ended:1', 'after two runs')
        out.reset()
        eval("container('ended:1') { run 'cat', '/y', '/in.txt' }")

        then:
        out.toString() == 'y\ny\nIN\n'
        engine.images().config('ended:1').history.last().comment == 'after two runs'
    }

    def "a new JVM finds containers with ps(all: true) and commits a running and an exited one"() {
        given:
        Container running = eval("container('busybox') { detach(); name 'wanderer'; run 'sh', '-c', 'echo w > /w; sleep 300' }")
        Container ended = eval("container('busybox') { detach(); name 'finished'; run 'sh', '-c', 'echo e > /e' }")
        ended.wait()
        diffOnce(running, ['A /w'])
        def script = '''
            import io.cgroovy.runtime.*
            import io.cgroovy.dsl.*
            import java.nio.file.*
            def e = Engine.open(Path.of(args[0]), args[1])
            def i = new Interpreter(Session.using(e), new PrintStream(new ByteArrayOutputStream()))
            println i.eval("""
                def all = ps(all: true)
                [all.find { it.name == 'wanderer' }.commit('fromps:running').id,
                 all.find { it.name == 'finished' }.commit('fromps:ended').id,
                 all.find { it.name == 'finished' }.diff().join(',')].join(' ')
            """)
        '''

        when:
        def jvm = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', System.getProperty('java.class.path'),
                'groovy.ui.GroovyMain', '-e', script, engine.root().toString(), cgroupParent)
                .redirectErrorStream(true).start()
        String said = jvm.inputStream.text
        int code = jvm.waitFor()

        then:
        code == 0
        said.trim() ==~ /sha256:[0-9a-f]{64} sha256:[0-9a-f]{64} A \/e/
        running.status == 'running'

        when:
        out.reset()
        eval("container('fromps:running') { run 'cat', '/w' }; container('fromps:ended') { run 'cat', '/e' }")

        then:
        out.toString() == 'w\ne\n'
    }

    def "diff, copy and commit of a container that does not exist, or of a foreground one without keep, say so"() {
        when:
        new ContainerFiles(engine).commit('nosuch', 'x:1', null)

        then:
        ContainerException e = thrown()
        e.message == 'no such container: nosuch'

        when:
        Container c = eval("container('busybox') { run 'true' }")
        c.copyOut('/etc/passwd', tmp.toString())

        then:
        DslException e2 = thrown()
        e2.message.contains('keep true')
    }
}

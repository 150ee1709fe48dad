package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.cgroup.Resources
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/** Detached containers: their monitor, state records, logs, stop/kill/wait/rm/pause, restart policies, recovery. */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(180)
class DetachSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('detach')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String cgroupParent = fixture.cgroupParent

    def cleanup() {
        for (ContainerInfo c : engine.ps(true)) engine.remove(c.id(), true)
        assertNothingLeft()
    }

    void assertNothingLeft() {
        assert !new File('/proc/self/mountinfo').text.contains(tmp.toString())
        assert Files.list(engine.root().resolve('containers')).withCloseable { s -> s.filter { Files.isDirectory(it) }.count() } == 0
        for (Path p : engine.cgroups().parentDirs()) {
            if (Files.isDirectory(p)) assert Files.list(p).withCloseable { s -> s.filter { Files.isDirectory(it) }.count() } == 0
        }
        Path sock = engine.root().resolve('sock')
        assert !Files.isDirectory(sock) || Files.list(sock).withCloseable { it.count() } == 0
    }

    ContainerInfo detach(Map opts = [:], List<String> cmd) {
        def settings = new ContainerSettings('test/busybox', opts.name as String, cmd, opts.env as Map ?: [:],
                null, null, null, opts.resources as Resources)
        engine.runDetached(image, settings, new DetachOptions(opts.tty as boolean, opts.interactive as boolean,
                RestartPolicy.parse(opts.restart as String)))
    }

    static boolean eventually(long millis = 30_000, Closure<Boolean> test) {
        long end = System.currentTimeMillis() + millis
        while (System.currentTimeMillis() < end) {
            if (test()) return true
            Thread.sleep(50)
        }
        test()
    }

    Map logs(String ref, int tail = -1) {
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        engine.logs(ref, tail, false, out, err)
        [out: out.toString(), err: err.toString()]
    }

    static boolean alive(long pid) { ProcessHandle.of(pid).map { it.isAlive() }.orElse(false) }

    def "a detached container outlives the JVM that started it; a new JVM lists it, reads its logs, stops it and gets its exit code"() {
        given: 'a separate JVM starts a detached container and prints its id'
        def root = tmp.resolve('root')
        def script = '''
            import io.cgroovy.runtime.*
            import io.cgroovy.image.*
            import java.nio.file.*
            def e = Engine.open(Path.of(args[0]), args[1])
            def cfg = new ImageConfig(); cfg.config.cmd = ['sh']
            def img = new Snapshot('sha256:' + '0' * 64, 'test/busybox', [Path.of(args[2]), Path.of(args[3])], cfg)
            def cmd = ['sh', '-c', 'trap "echo stopping; exit 3" TERM; i=0; while :; do echo out$i; echo err$i >&2; i=$((i+1)); sleep 0.1; done']
            def c = e.runDetached(img, new ContainerSettings('test/busybox', 'survivor', cmd, null, null, null, null, null), DetachOptions.DEFAULT)
            println c.id()
            Thread.sleep(600000)
        '''
        def jvm = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', System.getProperty('java.class.path'),
                'groovy.ui.GroovyMain', '-e', script, root.toString(), cgroupParent, image.layers()[0].toString(), image.layers()[1].toString())
                .redirectErrorStream(true).start()
        def id = new BufferedReader(new InputStreamReader(jvm.inputStream)).readLine()
        assert id ==~ /[0-9a-f]{64}/

        when: 'that JVM is killed with SIGKILL'
        jvm.destroyForcibly()
        jvm.waitFor()
        def info = engine.inspect('survivor')

        then: 'the container still runs, under its monitor, in its own session'
        info.id() == id
        info.status() == 'running'
        alive(info.pid())
        def monitorPid = ContainerRecord.readState(root.resolve('containers').resolve(id)).monitorPid
        alive(monitorPid)
        ProcessHandle.of(info.pid()).get().parent().get().pid() == monitorPid

        and: 'this JVM lists it and finds it by name and by id prefix'
        engine.ps(false)*.id() == [id]
        engine.ps(false)[0].statusText(java.time.Instant.now()).startsWith('Up ')
        engine.inspect(id.substring(0, 6)).name() == 'survivor'

        when: 'it has written a few lines'
        eventually { logs(id).out.readLines().size() >= 5 }
        def tail = logs(id, 3)
        def all = logs(id)

        then: 'docker logs and --tail give what it wrote, stdout and stderr apart'
        all.out.startsWith('out0\nout1\nout2\n')
        all.err.startsWith('err0\nerr1\nerr2\n')
        (tail.out + tail.err).readLines().size() == 3
        all.out.contains(tail.out)

        and: 'the log is Docker json-file'
        def first = new com.fasterxml.jackson.databind.ObjectMapper().readValue(Files.readAllLines(root.resolve("containers/${id}/${id}-json.log")).first(), Map)
        first.log == 'out0\n'
        first.stream == 'stdout'
        first.time ==~ /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z/

        when: 'logs are followed while it is stopped'
        def followed = new ByteArrayOutputStream()
        def follower = Thread.start { engine.logs('survivor', 0, true, followed, OutputStream.nullOutputStream()) }
        eventually { followed.toString().contains('out') }
        int code = engine.stop('survivor', Duration.ofSeconds(20))
        follower.join(30_000)

        then: 'SIGTERM reached its trap: exit status 3, and following ended with the container'
        code == 3
        !follower.alive
        followed.toString().endsWith('stopping\n')
        !alive(info.pid())
        eventually { !alive(monitorPid) }
        engine.ps(false).isEmpty()
        engine.ps(true)[0].status() == 'exited'
        engine.ps(true)[0].statusText(java.time.Instant.now()).startsWith('Exited (3) ')
        engine.waitFor('survivor') == 3

        and: 'a stopped container keeps no cgroup'
        engine.cgroups().open(id).isEmpty()

        cleanup:
        jvm?.destroyForcibly()
    }

    def "restart policy on-failure:2 restarts a failing container exactly twice"() {
        when:
        def c = detach(['sh', '-c', 'echo run; exit 1'], restart: 'on-failure:2')
        int code = engine.waitFor(c.id())
        def info = engine.inspect(c.id())

        then:
        code == 1
        info.restartCount() == 2
        info.status() == 'exited'
        logs(c.id()).out == 'run\nrun\nrun\n'
    }

    def "on-failure does not restart a container that succeeded; always restarts until stopped"() {
        when:
        def ok = detach(['true'], restart: 'on-failure')
        engine.waitFor(ok.id())
        def always = detach(['sh', '-c', 'echo up; sleep 0.1'], restart: 'always')
        eventually { engine.inspect(always.id()).restartCount() >= 2 }
        int code = engine.stop(always.id(), Duration.ofSeconds(10))

        then:
        engine.inspect(ok.id()).restartCount() == 0
        engine.inspect(ok.id()).exitCode() == 0
        engine.inspect(always.id()).status() == 'exited'
        Thread.sleep(500)
        engine.inspect(always.id()).status() == 'exited'
        code in [0, 137]
    }

    def "pause freezes every process (state read from the cgroup); unpause lets it run"() {
        given:
        def c = detach(['sh', '-c', 'while :; do echo tick; sleep 0.05; done'])
        eventually { logs(c.id()).out.contains('tick') }

        when:
        engine.pause(c.id())
        def cg = engine.cgroups().open(c.id()).get()
        int before = logs(c.id()).out.readLines().size()
        Thread.sleep(500)
        int after = logs(c.id()).out.readLines().size()

        then:
        cg.frozen()
        engine.inspect(c.id()).status() == 'paused'
        engine.inspect(c.id()).statusText(java.time.Instant.now()).endsWith('(Paused)')
        after == before

        when:
        engine.unpause(c.id())

        then:
        !cg.frozen()
        engine.inspect(c.id()).status() == 'running'
        eventually { logs(c.id()).out.readLines().size() > after }

        when: 'pausing twice'
        engine.pause(c.id())
        engine.pause(c.id())

        then:
        def e = thrown(ContainerException)
        e.message == "container ${c.name()} is already paused".toString()

        when: 'a paused container is stopped'
        engine.stop(c.id(), Duration.ofSeconds(1))

        then:
        engine.inspect(c.id()).status() == 'exited'
    }

    def "rm with force of a running container leaves no mount, cgroup, process, socket or directory"() {
        given:
        def c = detach(['sleep', '300'], name: 'doomed')
        def dir = engine.root().resolve('containers').resolve(c.id())
        long monitorPid = ContainerRecord.readState(dir).monitorPid
        def cgroupDirs = engine.cgroups().open(c.id()).get().joinDirs()

        when: 'without force'
        engine.remove('doomed', false)

        then:
        def e = thrown(ContainerException)
        e.message == 'cannot remove container doomed: it is running (stop it first, or remove it with force)'

        when:
        engine.remove('doomed', true)

        then:
        !Files.exists(dir)
        cgroupDirs.every { !Files.exists(it) }
        !alive(c.pid())
        eventually { !alive(monitorPid) }
        !new File('/proc/self/mountinfo').text.contains(tmp.toString())
        engine.ps(true).isEmpty()

        when:
        engine.inspect('doomed')

        then:
        e = thrown(ContainerException)
        e.message == 'no such container: doomed'
    }

    def "opening the engine after the monitor was SIGKILLed marks the container exited and removes what it left"() {
        given:
        def c = detach(['sleep', '300'])
        def dir = engine.root().resolve('containers').resolve(c.id())
        long monitorPid = ContainerRecord.readState(dir).monitorPid
        def cgroupDirs = engine.cgroups().open(c.id()).get().joinDirs()

        when:
        new ProcessBuilder('kill', '-9', monitorPid.toString()).start().waitFor()
        eventually { !alive(monitorPid) }

        then: 'the container itself lives on without its monitor'
        alive(c.pid())

        when:
        def next = Engine.open(engine.root(), cgroupParent)
        def info = next.inspect(c.id())

        then:
        info.status() == 'exited'
        info.exitCode() == 255
        info.error().contains('monitor')
        eventually { !alive(c.pid()) }
        cgroupDirs.every { !Files.exists(it) }
        !Files.exists(next.root().resolve('sock').resolve(c.id().substring(0, 16)))
    }

    def "kill sends a signal; wait returns the exit status; restart runs it again"() {
        given:
        def c = detach(['sh', '-c', 'trap "exit 7" USR1; echo started; while :; do sleep 0.05; done'], name: 'sig')
        eventually { logs('sig').out.contains('started') }

        when:
        engine.kill('sig', 'SIGUSR1')
        int code = engine.waitFor('sig')

        then:
        code == 7

        when:
        engine.restart('sig', Duration.ofSeconds(5))
        eventually { logs('sig').out == 'started\nstarted\n' }

        then:
        engine.inspect('sig').status() == 'running'

        when:
        engine.kill('sig', 'NOSUCH')

        then:
        def e = thrown(ContainerException)
        e.message.startsWith("invalid signal 'NOSUCH'")
    }

    def "attach to an interactive container: input goes to its stdin, output comes back"() {
        given:
        def c = detach(['sh', '-c', 'while read l; do echo "got $l"; echo "err $l" >&2; done'], interactive: true)
        def in = new PipedInputStream()
        def feed = new PipedOutputStream(in)
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()

        when:
        boolean detached = false
        def t = Thread.start { detached = engine.attach(c.id(), in, out, err) }
        Thread.sleep(300)
        feed.write('hello\n'.bytes)
        feed.flush()
        eventually { out.toString() == 'got hello\n' && err.toString() == 'err hello\n' }
        feed.write([0x10, 0x11] as byte[]) // Ctrl-P Ctrl-Q
        feed.flush()
        t.join(20_000)

        then:
        out.toString() == 'got hello\n'
        err.toString() == 'err hello\n'
        detached
        engine.inspect(c.id()).status() == 'running'
        logs(c.id()).out == 'got hello\n'
    }

    def "a TTY container gets a terminal held by the monitor; its window size can be set"() {
        given:
        def c = detach(['sh', '-c', 'test -t 0 && test -t 1 && echo tty; while read l; do stty size; done'], tty: true, interactive: true)
        eventually { logs(c.id()).out.contains('tty') }

        when:
        engine.resize(c.id(), 33, 111)
        def in = new PipedInputStream()
        def feed = new PipedOutputStream(in)
        def out = new ByteArrayOutputStream()
        def t = Thread.start { engine.attach(c.id(), in, out, null) }
        Thread.sleep(300)
        feed.write('\n'.bytes)
        feed.flush()

        then:
        eventually { out.toString().contains('33 111') }

        cleanup:
        feed?.write([0x10, 0x11] as byte[])
        feed?.flush()
        t?.join(10_000)
    }

    def "docker run -it: the PTY has the caller's size from the start and is sh's controlling terminal; an interrupt stops and removes it"() {
        given:
        engine.images().ensureDefaultBusybox()
        def settings = new ContainerSettings('busybox', null, ['sh', '-c', 'stty size; echo ctty > /dev/tty && echo has-ctty; exec sleep 600'],
                [:], null, null, null, null)
        def in = new PipedInputStream()
        def feed = new PipedOutputStream(in)
        def out = new ByteArrayOutputStream()
        Optional<RunResult> result = null
        String id = null

        when: 'the size is set before the monitor starts it (onStart), then the caller is interrupted (Ctrl-C, JVM exit)'
        def t = Thread.start {
            result = engine.runAttached(settings, new DetachOptions(true, true, RestartPolicy.NO), in, out, out,
                    { String i -> id = i; engine.resize(i, 33, 111) } as java.util.function.Consumer<String>)
        }
        boolean shown = eventually { out.toString().contains('has-ctty') }
        t.interrupt()
        t.join(60_000)

        then:
        shown
        out.toString().contains('33 111')            // stty's first look: no 24x80 before a resize
        !t.alive
        result.present                                 // it ended (stopped), it was not detached
        engine.ps(true).every { it.id() != id }        // and was removed like docker run --rm

        cleanup:
        feed?.close()
    }

    def "bad input: names in use, unknown containers, restart policies"() {
        when:
        detach(['sleep', '300'], name: 'twice')
        detach(['true'], name: 'twice')

        then:
        def e = thrown(ContainerException)
        e.message == "the container name 'twice' is already in use (remove that container or choose another name)"
        engine.ps(true).size() == 1

        when:
        engine.stop('nosuch', Duration.ofSeconds(1))

        then:
        e = thrown(ContainerException)
        e.message == 'no such container: nosuch'

        when:
        RestartPolicy.parse('sometimes')

        then:
        e = thrown(ContainerException)
        e.message == "invalid restart policy 'sometimes' (no, on-failure[:N], always, unless-stopped)"

        when: 'a command that does not exist'
        detach(['nosuchcmd'])

        then: 'the launch error names the step, and nothing is left'
        e = thrown(ContainerException)
        e.message == "exec 'nosuchcmd': No such file or directory"
        engine.ps(true).size() == 1
    }
}

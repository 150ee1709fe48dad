package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.plan.PlanCompiler
import io.cgroovy.runtime.spec.RuntimeSpec
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** exec into a running container: its namespaces, cgroup and security settings, its own stdio and exit status. */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(180)
class ExecSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('exec')
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine

    def cleanup() {
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.isAlive() }.count() == 0
    }

    /** Starts a foreground container (in another thread) that waits until /tmp/stop exists; returns [thread, result holder]. */
    Map start(String name, Map settings = [:]) {
        def holder = [:]
        def cmd = ['sh', '-c', 'echo started > /tmp/started; while [ ! -e /tmp/stop ]; do sleep 0.1; done; exit 7']
        def s = new ContainerSettings('test/busybox', name, cmd, [FROM_RUN: 'yes'], 'boxhost', null, null, null,
                settings.security as Security ?: Security.DEFAULT)
        def t = Thread.start { holder.result = engine.run(image, s, Stdio.of(null, null, null)) }
        for (int i = 0; i < 300; i++) {
            try {
                if (exec(name, ['cat', '/tmp/started']).out == 'started\n') break
            } catch (ContainerException ignored) {
                // not running yet
            }
            Thread.sleep(50)
        }
        [thread: t, holder: holder]
    }

    Map exec(Map opts = [:], String name, List<String> cmd) {
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        def stdin = opts.stdin == null ? null : new ByteArrayInputStream((opts.stdin as String).bytes)
        int code = engine.exec(name, new ExecSettings(cmd, opts.env as Map ?: [:], opts.user as String, opts.workdir as String), Stdio.of(stdin, out, err))
        [out: out.toString(), err: err.toString(), code: code]
    }

    int stop(Map c, String name) {
        exec(name, ['touch', '/tmp/stop'])
        c.thread.join(60_000)
        c.holder.result.exitCode()
    }

    def "exec joins the container's namespaces and cgroup, keeps its security settings and returns its exit status"() {
        given:
        def c = start('exec-a')
        long initPid = engine.initPid('exec-a')
        when:
        def r = exec('exec-a', ['sh', '-c', '''
            hostname; cat /proc/1/cmdline | tr "\\0" " "; echo
            echo FROM_RUN=$FROM_RUN; id -u; pwd
            grep -E "CapEff|NoNewPrivs|Seccomp:" /proc/self/status
            ls /proc/self/fd | sort -n | tr "\\n" " "; echo
            exit 3'''])
        then:
        r.code == 3
        r.out.readLines() == ['boxhost', 'sh -c echo started > /tmp/started; while [ ! -e /tmp/stop ]; do sleep 0.1; done; exit 7 ',
                              'FROM_RUN=yes', '0', '/', 'CapEff:\t00000000a80425fb', 'NoNewPrivs:\t1', 'Seccomp:\t2', '0 1 2 3 ']
        and: 'same namespaces and cgroup as the first process'
        def nsOf = { long pid -> ['mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup'].collect { Files.readSymbolicLink(Path.of("/proc/$pid/ns/$it")).toString() } }
        def probe = new Thread({ exec('exec-a', ['sleep', '5']) })
        probe.start()
        long execPid = -1
        for (int i = 0; i < 100 && execPid < 0; i++) {
            Thread.sleep(50)
            execPid = engine.cgroupOf('exec-a').pids().find { long p ->
                try { new File("/proc/$p/cmdline").text == 'sleep\u00005\u0000' } catch (IOException gone) { false }
            } ?: -1
        }
        execPid > 0
        nsOf(execPid) == nsOf(initPid)
        new File("/proc/$execPid/cgroup").text == new File("/proc/$initPid/cgroup").text
        cleanup:
        probe?.join(30_000)
        stop(c, 'exec-a') == 7
    }

    def "exec with its own env, user, workdir and stdin"() {
        given:
        def c = start('exec-b')
        when:
        def r = exec('exec-b', ['sh', '-c', 'echo $GREETING $HOME; id -u; id -g; pwd; cat; grep CapEff /proc/self/status'],
                env: [GREETING: 'hi'], user: 'app', workdir: '/etc', stdin: 'from stdin\n')
        then:
        r.code == 0
        r.out == 'hi /home/app\n1000\n1000\n/etc\nfrom stdin\nCapEff:\t0000000000000000\n'
        cleanup:
        stop(c, 'exec-b') == 7
    }

    def "exec errors are clear: unknown container, missing command"() {
        when:
        exec('no-such-container', ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == "no running container 'no-such-container'"
        when:
        def c = start('exec-c')
        exec('exec-c', ['nosuchcmd'])
        then:
        e = thrown(ContainerException)
        e.message == "exec exec-c: exec 'nosuchcmd': No such file or directory"
        cleanup:
        stop(c, 'exec-c') == 7
    }

    def "exec into a detached container (held by its monitor) and into one that has stopped"() {
        given:
        def info = engine.runDetached(image, new ContainerSettings('test/busybox', 'exec-d', ['sleep', '60'], null, 'dhost', null, null, null),
                DetachOptions.DEFAULT)
        when:
        def r = exec('exec-d', ['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; exit 4'])
        then:
        r.code == 4
        r.out == 'dhost\nsleep 60 '
        when:
        engine.stop('exec-d', java.time.Duration.ofSeconds(1))
        exec('exec-d', ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == 'container exec-d is not running'
        cleanup:
        engine.remove(info.id(), true)
    }

    def "a window size given before the executor listens is the size the terminal's process starts with"() {
        given: 'an exec terminal whose executor has not listened on its control socket yet (docker exec -it: the CLI resizes right after start)'
        def info = engine.runDetached(image, new ContainerSettings('test/busybox', 'exec-size', ['sleep', '60'], null, 'shost', null, null, null),
                DetachOptions.DEFAULT)
        def r = engine.running('exec-size')
        def spec = RuntimeSpec.read(r.dir().resolve('config.json'))
        def p = Exec.process(spec, new ExecSettings(['stty', 'size'], [:], null, null), r.layers())
        p.terminal = true
        def control = engine.root().resolve('sock').resolve('xsizespec')
        Files.createDirectories(control.parent)
        def term = new ExecTerminal(0, 0)
        term.control(control) // what Exec does before it starts the executor

        when:
        term.resize(33, 77)

        then: 'nothing to connect to yet: the size is left for the executor'
        Files.readString(ExecTerminal.sizeFile(control)) == '33 77\n'

        when: 'the executor runs a plan whose terminal step still says 0x0'
        def v2 = r.cgroup().v2Dir().orElse(null)
        def plan = PlanCompiler.compileExec(spec, p, r.pid(), v2 != null ? [] : r.cgroup().joinDirs(), v2,
                new PlanCompiler.Terminal(0, 0, control.toString()))
        def work = Files.createTempDirectory(fixture.tmp, 'plan-')
        plan.write(work.resolve('plan'))
        def out = new ByteArrayOutputStream()
        int code = ExecutorRun.run(engine.executor(), work.resolve('plan'), work.resolve('status'), plan, Stdio.of(null, out, null), 'exec exec-size')

        then: 'its first look at the terminal sees that size (0x0 made busybox stty fail with a stale errno)'
        code == 0
        out.toString().replace('\r', '') == '33 77\n'
        !Files.exists(ExecTerminal.sizeFile(control)) // removed with the socket
        !Files.exists(control)

        when: 'once the exec has ended a resize is refused and leaves nothing'
        term.ended()
        term.resize(40, 100)

        then:
        def e = thrown(ContainerException)
        e.message == 'resize: the exec has ended'
        !Files.exists(ExecTerminal.sizeFile(control))

        cleanup:
        engine.remove(info.id(), true)
    }
}

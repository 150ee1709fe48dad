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

@IgnoreIf({ !TestImages.isRoot() })
@Timeout(120)
class EngineSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('engine')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String cgroupParent = fixture.cgroupParent

    def cleanup() {
        assertNothingLeft()
    }

    void assertNothingLeft() {
        def mounts = new File('/proc/self/mountinfo').text
        assert !mounts.contains(tmp.toString())
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        for (Path p : engine.cgroups().parentDirs()) {
            if (Files.isDirectory(p)) assert Files.list(p).withCloseable { s -> s.filter { Files.isDirectory(it) }.count() } == 0
        }
        assert ProcessHandle.current().descendants().filter { it.isAlive() }.count() == 0
    }

    Map run(Map opts = [:], List<String> cmd) {
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        def settings = new ContainerSettings('test/busybox', opts.name as String, cmd, opts.env as Map ?: [:],
                opts.hostname as String, opts.workdir as String, opts.user as String, opts.resources as Resources)
        def stdin = opts.stdin == null ? null : new ByteArrayInputStream((opts.stdin as String).bytes)
        RunResult r = engine.run(opts.image as Snapshot ?: image, settings, Stdio.of(stdin, out, err))
        [result: r, out: out.toString(), err: err.toString(), code: r.exitCode()]
    }

    def "a command runs and its output and exit status come back"() {
        when:
        def r = run(['sh', '-c', 'echo hello; echo oops >&2; exit 3'])
        then:
        r.out == 'hello\n'
        r.err == 'oops\n'
        r.code == 3
        r.result.id() ==~ /[0-9a-f]{64}/
        r.result.name() == r.result.id().substring(0, 12)
        !r.result.oomKilled()
    }

    def "killed by a signal from outside gives 128+signal"() {
        given: 'the container process, found as the grandchild of this JVM'
        def result = null
        def t = Thread.start { result = run(['sleep', '30']) }
        ProcessHandle container = null
        for (int i = 0; i < 100 && container == null; i++) {
            Thread.sleep(50)
            container = ProcessHandle.current().children().flatMap { it.children() }.findFirst().orElse(null)
        }
        when:
        container.destroyForcibly()
        t.join(60_000)   // slow in the UML guest
        then:
        result.code == 137
        cleanup:
        ProcessHandle.current().descendants().forEach { it.destroyForcibly() }
        t.join()
    }

    ProcessHandle awaitExecutor() {
        for (int i = 0; i < 200; i++) {
            def exe = ProcessHandle.current().children().filter { it.children().findAny().isPresent() }.findFirst().orElse(null)
            if (exe != null) return exe
            Thread.sleep(25)
        }
        throw new IllegalStateException('no executor with a container process appeared')
    }

    /** Waits until process {@code p} has handlers for all {@code signals} (SigCgt in /proc/PID/status). */
    static void awaitCatching(ProcessHandle p, List<Integer> signals) {
        long end = System.currentTimeMillis() + 60_000
        while (true) {
            def line = new File("/proc/${p.pid()}/status").readLines().find { it.startsWith('SigCgt:') }
            long mask = Long.parseUnsignedLong(line.split(/\s+/)[1], 16)
            if (signals.every { ((mask >> (it - 1)) & 1) == 1 }) return
            assert System.currentTimeMillis() < end: "process ${p.pid()} did not install handlers for signals ${signals}"
            Thread.sleep(20)
        }
    }

    def "SIGINT, SIGHUP and SIGQUIT to the executor reach the container"() {
        given:
        def result = null
        def t = Thread.start {
            result = run(['sh', '-c', "trap 'exit 10' INT; trap 'exit 11' HUP; trap 'exit 12' QUIT; echo ready; while true; do sleep 0.05; done"])
        }
        def exe = awaitExecutor()
        awaitCatching(exe.children().findFirst().get(), [1, 2, 3]) // sh has installed its traps (slow in the UML guest)
        when:
        new ProcessBuilder('kill', '-' + signal, exe.pid().toString()).start().waitFor()
        t.join(60_000)   // slow in the UML guest
        then:
        result.code == code
        cleanup:
        ProcessHandle.current().descendants().forEach { it.destroyForcibly() }
        t.join()
        where:
        signal | code
        'INT'  | 10
        'HUP'  | 11
        'QUIT' | 12
    }

    def "when the executor dies the container dies with it (parent-death signal) and nothing is left"() {
        given:
        def result = null
        def t = Thread.start { result = run(['sleep', '60']) }
        def exe = awaitExecutor()
        def container = exe.children().findFirst().get()
        when:
        exe.destroyForcibly()
        t.join(60_000)   // slow in the UML guest
        then:
        result.code == 137
        container.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS) != null
        cleanup:
        ProcessHandle.current().descendants().forEach { it.destroyForcibly() }
        t.join()
    }

    def "containers run side by side in one engine"() {
        when:
        def outs = Collections.synchronizedList([])
        def threads = (1..4).collect { i -> Thread.start { outs << run([hostname: "box$i".toString()], ['sh', '-c', 'sleep 0.2; hostname']).out.trim() } }
        threads*.join()
        then:
        outs.sort() == ['box1', 'box2', 'box3', 'box4']
    }

    def "PID 1 ignores its own SIGKILL, as in Docker without --init"() {
        expect:
        run(['sh', '-c', 'kill -9 $$; echo survived']).out == 'survived\n'
    }

    def "the container sees only its own processes, with itself as PID 1"() {
        when:
        def r = run(['ps', '-o', 'pid,comm'])
        def lines = r.out.readLines().drop(1)*.trim()
        then:
        r.code == 0
        lines == ['1 ps']
    }

    def "hostname is the short id or the one given, and does not touch the host's"() {
        given:
        def hostBefore = new File('/proc/sys/kernel/hostname').text
        when:
        def r1 = run(['hostname'])
        def r2 = run([hostname: 'box1'], ['sh', '-c', 'hostname; hostname changed; hostname'])
        then:
        r1.out.trim() == r1.result.id().substring(0, 12)
        r2.out == 'box1\nbox1\n'
        r2.err.contains('Operation not permitted') // no CAP_SYS_ADMIN, as in Docker
        new File('/proc/sys/kernel/hostname').text == hostBefore
    }

    def "namespaces differ from the host's"() {
        given:
        def host = ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup'].collectEntries { [it, Files.readSymbolicLink(Path.of("/proc/self/ns/$it")).toString()] }
        when:
        def r = run(['sh', '-c', 'for n in mnt uts ipc net pid cgroup; do echo $n $(readlink /proc/self/ns/$n); done'])
        def inside = r.out.readLines().collectEntries { def f = it.split(' '); [f[0], f[1]] }
        then:
        r.code == 0
        inside.keySet() == host.keySet()
        inside.every { k, v -> v != host[k] }
    }

    def "/etc/hostname and /etc/hosts name the container; localhost answers on lo"() {
        when:
        def r = run([hostname: 'web1'], ['sh', '-c', 'cat /etc/hostname; grep -c web1 /etc/hosts; ping -c 1 -W 2 localhost >/dev/null && echo pong'])
        then:
        r.out == 'web1\n1\npong\n'
        image.layers().every { !Files.exists(it.resolve('etc/hostname')) }
    }

    def "the network namespace has only lo, and it is up"() {
        when:
        def r = run(['sh', '-c', 'cat /proc/net/dev; ip link'])
        def ifaces = r.out.readLines().drop(2).takeWhile { it.contains('|') == false && it.contains(':') && !it.startsWith('1:') }
        then:
        r.code == 0
        r.out.readLines().findAll { it =~ /^\s*[a-z0-9]+:\s+\d/ }*.trim()*.replaceAll(/:.*/, '') == ['lo']
        r.out =~ /1: lo: <LOOPBACK,UP/
    }

    def "files written in the container do not reach the image layers, and whiteouts hide lower files"() {
        when:
        def r = run(['sh', '-c', 'echo x > /written; echo y > /etc/upper; cat /etc/upper; ls /etc; test -e /etc/hidden && echo visible || echo hidden'])
        then:
        r.code == 0
        r.out.readLines().contains('hidden')
        r.out.readLines().contains('y')
        image.layers().every { !Files.exists(it.resolve('written')) }
        Files.readString(image.layers()[1].resolve('etc/upper')) == 'from the upper layer\n'
    }

    def "env merges image Env with the user's (user wins), HOSTNAME and PATH set"() {
        given:
        def img = TestImages.busybox(tmp.resolve('image-env'), [env: ['PATH=/bin', 'A=image', 'B=image']])
        when:
        def r = run([image: img, env: [B: 'user', C: 'user'], hostname: 'h1'], ['env'])
        def env = r.out.readLines().collectEntries { def i = it.indexOf('='); [it.substring(0, i), it.substring(i + 1)] }
        then:
        env.PATH == '/bin'
        env.A == 'image'
        env.B == 'user'
        env.C == 'user'
        env.HOSTNAME == 'h1'
        env.HOME == '/root'
        run([user: 'app', env: [HOME: '/x']], ['sh', '-c', 'echo $HOME']).out == '/x\n'
        run([user: 'app'], ['sh', '-c', 'echo $HOME']).out == '/home/app\n'
    }

    def "workdir: the given one, created when missing, else the image's, else /"() {
        given:
        def img = TestImages.busybox(tmp.resolve('image-wd'), [workingDir: '/etc'])
        expect:
        run([workdir: '/tmp/a/b'], ['pwd']).out == '/tmp/a/b\n'
        run([image: img], ['pwd']).out == '/etc\n'
        run(['pwd']).out == '/\n'
    }

    def "user: numeric, by name with its groups, and from the image"() {
        given:
        def img = TestImages.busybox(tmp.resolve('image-user'), [user: 'app'])
        expect:
        run([user: '65534'], ['sh', '-c', 'id -u; id -g']).out == '65534\n65534\n'
        run([user: '1234:4321'], ['sh', '-c', 'id -u; id -g']).out == '1234\n4321\n'
        run([user: 'app'], ['id']).out.trim() == 'uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)'
        run([user: 'nobody'], ['id']).out.trim() == 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)'
        run([image: img], ['id', '-u']).out == '1000\n'
    }

    def "an unknown user name is a one-line error and leaves nothing behind"() {
        when:
        run([user: 'nosuchuser'], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == "no user 'nosuchuser' in the image's /etc/passwd"
    }

    def "root gets Docker's 14 capabilities, no_new_privs, and RLIMIT_NOFILE 1024"() {
        when:
        def r = run(['sh', '-c', 'grep -E "^(CapEff|CapBnd|CapPrm|CapInh|NoNewPrivs)" /proc/self/status; ulimit -n; ulimit -Hn'])
        def st = r.out.readLines().findAll { it.contains(':') }.collectEntries { def f = it.split(/:\s+/); [f[0], f[1]] }
        then:
        st.CapEff == '00000000a80425fb'
        st.CapBnd == '00000000a80425fb'
        st.CapPrm == '00000000a80425fb'
        st.CapInh == '0000000000000000'
        st.NoNewPrivs == '1'
        r.out.readLines().takeRight(2) == ['1024', '1024']
    }

    def "seccomp: new namespaces are refused inside (unshare -U works without the filter), forks still work"() {
        when:
        def r = run(['sh', '-c', 'unshare -U true && echo userns-created; grep Seccomp: /proc/self/status; (true) && echo fork-ok'])
        then:
        r.err.contains('unshare(0x10000000): Operation not permitted')
        r.out == 'Seccomp:\t2\nfork-ok\n'
    }

    def "a non-root user has no effective capabilities"() {
        expect:
        run([user: '65534'], ['grep', 'CapEff', '/proc/self/status']).out.trim() == 'CapEff:\t0000000000000000'
    }

    def "/dev, /proc, /sys are set up like Docker's, with masked and read-only paths"() {
        when:
        def r = run(['sh', '-c', '''
            ls /dev | sort | tr '\\n' ' '; echo
            readlink /dev/fd; readlink /dev/ptmx
            stat -c '%t:%T %a' /dev/null
            echo hi > /dev/null && echo null-ok
            test -s /proc/kcore && echo kcore-readable || echo kcore-masked
            echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-ro
            touch /sys/x 2>/dev/null && echo sysfs-writable || echo sysfs-ro
            grep -E ' /(dev|dev/pts|dev/shm|dev/mqueue|sys|proc|sys/fs/cgroup)? ' /proc/self/mountinfo | wc -l
            ls /sys/fs/cgroup | head -1
            cat /proc/self/cgroup
        '''])
        def lines = r.out.readLines()
        then:
        r.code == 0
        lines[0].split(' ') as Set == ['console', 'core', 'fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'] as Set - ['console', 'core']
        lines[1] == '/proc/self/fd'
        lines[2] == 'pts/ptmx'
        lines[3] == '1:3 666'
        lines.contains('null-ok')
        lines.contains('kcore-masked')
        lines.contains('sys-ro')
        lines.contains('sysfs-ro')
        r.out.readLines().any { it ==~ (engine.cgroups().version() == 'v1' ? /\d+:memory:\/$/ : /0::\/$/) }
    }

    def "exec of a missing command is a one-line error naming it"() {
        when:
        run(['nosuchcmd', 'arg'])
        then:
        def e = thrown(ContainerException)
        e.message == "exec 'nosuchcmd': No such file or directory"
    }

    def "a failing mount step is reported with its description"() {
        given: 'an image whose /proc is a symlink out of the rootfs'
        def img = TestImages.busybox(tmp.resolve('image-evil'))
        Files.createSymbolicLink(img.layers()[1].resolve('proc'), Path.of('/tmp'))
        when:
        run([image: img], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == 'mount proc on /proc: is a symlink inside the rootfs (refused)'
    }

    def "an image whose /dev is a symlink cannot make /dev setup touch host files (CVE-2026-41579)"() {
        given:
        def img = TestImages.busybox(tmp.resolve('image-devlink'))
        Files.createSymbolicLink(img.layers()[1].resolve('dev'), Path.of('/tmp'))
        when:
        run([image: img], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == 'mount tmpfs on /dev: is a symlink inside the rootfs (refused)'
    }

    def "a workdir through /proc/self/fd cannot reach a leaked host fd (CVE-2024-21626)"() {
        when:
        run([workdir: '/proc/self/fd/3'], ['pwd'])
        then:
        def e = thrown(ContainerException)
        e.message == 'create working directory /proc/self/fd/3: is a symlink inside the rootfs (refused)'
    }

    def "the container's first process has only fds 0-2 open"() {
        expect:
        run(['sh', '-c', 'ls /proc/1/fd; true']).out.readLines() == ['0', '1', '2'] // sh stays PID 1 (no exec of the last command)
    }

    def "a missing working directory inside a file is a one-line error"() {
        when:
        run([workdir: '/etc/passwd'], ['pwd'])
        then:
        def e = thrown(ContainerException)
        e.message == 'chdir to /etc/passwd: Not a directory'
    }

    def "the executor is installed read-only and owned by root"() {
        expect:
        Files.getPosixFilePermissions(engine.executor()) == java.nio.file.attribute.PosixFilePermissions.fromString('r-xr-xr-x')
        Files.getOwner(engine.executor()).name == 'root'
        !engine.executor().startsWith(engine.root().resolve('containers'))
    }

    def "the running executor is a sealed memfd copy that cannot be rewritten through /proc/PID/exe (CVE-2019-5736)"() {
        given:
        def result = null
        def t = Thread.start { result = run(['sleep', '30']) }
        def exe = awaitExecutor()
        def exeLink = Path.of("/proc/${exe.pid()}/exe")
        when:
        def target = Files.readSymbolicLink(exeLink).toString()
        Files.newOutputStream(exeLink, java.nio.file.StandardOpenOption.WRITE).withCloseable { it.write('x'.bytes) }
        then:
        target.startsWith('/memfd:cgroovy-executor')
        thrown(IOException)
        cleanup:
        exe.children().forEach { it.destroyForcibly() }
        t.join(60_000)   // slow in the UML guest
    }

    @Timeout(600) // the other JVM compiles a Groovy script: minutes in the UML guest
    def "when the engine's JVM dies, its container dies at once; the next engine removes the rest"() {
        given: 'another JVM running a container of the same image'
        def root = tmp.resolve('root-jvm')
        def parent = cgroupParent + '-jvm'
        def script = '''
            import io.cgroovy.runtime.*
            import io.cgroovy.image.*
            import java.nio.file.*
            def e = Engine.open(Path.of(args[0]), args[1])
            def cfg = new ImageConfig(); cfg.config.cmd = ['sh']
            def img = new Snapshot('sha256:' + '0' * 64, 'test/busybox', [Path.of(args[2]), Path.of(args[3])], cfg)
            Thread.start { e.run(img, new ContainerSettings('test/busybox', null, ['sleep', '300'], null, null, null, null, null), Stdio.of(null, null, null)) }
            while (!ProcessHandle.current().children().flatMap { it.children() }.findFirst().isPresent()) Thread.sleep(20)
            println 'running'
            Thread.sleep(600000)
        '''
        def jvm = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', System.getProperty('java.class.path'),
                'groovy.ui.GroovyMain', '-e', script, root.toString(), parent, image.layers()[0].toString(), image.layers()[1].toString())
                .redirectErrorStream(true).start()
        def reader = new BufferedReader(new InputStreamReader(jvm.inputStream))
        def line = reader.readLine()
        assert line == 'running'
        def executor = jvm.toHandle().children().findFirst().get()
        def container = executor.children().findFirst().get()
        def containerDir = Files.list(root.resolve('containers')).withCloseable { it.findFirst().get() }
        when:
        jvm.destroyForcibly()
        jvm.waitFor()
        then: 'the parent-death signals take down the executor and the container'
        executor.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS) != null
        container.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS) != null
        Files.isDirectory(containerDir)
        when:
        def next = Engine.open(root, parent)
        then:
        !Files.exists(containerDir)
        next.cgroups().parentDirs().every { !Files.isDirectory(it) || Files.list(it).withCloseable { s -> s.noneMatch { Files.isDirectory(it) } } }
        cleanup:
        jvm?.destroyForcibly()
        jvm?.waitFor()
        ProcessHandle.current().descendants().forEach { it.destroyForcibly() }
        io.cgroovy.runtime.cgroup.Cgroups.detect(parent).removeParent()
    }

    def "opening an engine removes what a dead engine left: container dir, cgroup and its processes"() {
        given: 'a container dir owned by a dead JVM, with a cgroup holding a live process'
        def id = Engine.newId()
        def dir = Files.createDirectories(engine.root().resolve('containers').resolve(id).resolve('upper'))
        Files.writeString(dir.resolveSibling('owner'), '2147483646 1\n')
        def cg = engine.cgroups().create(id, Resources.NONE)
        def sleeper = new ProcessBuilder('sleep', '60').start()
        cg.joinDirs().each { Files.writeString(it.resolve('cgroup.procs'), sleeper.pid().toString()) }
        when:
        Engine.open(engine.root(), cgroupParent)
        then:
        !Files.exists(dir.parent)
        cg.joinDirs().every { !Files.exists(it) }
        sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)
        cleanup:
        sleeper.destroyForcibly()
        cg.close()
    }

    def "an unusable limit is refused before anything is made"() {
        when:
        run([resources: new Resources(1024L, null, null, null, null)], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message.contains('below the minimum of 6m')
    }

    def "memory limit: a hog is OOM-killed"() {
        when:
        def r = run([resources: new Resources(32L << 20, 32L << 20, null, null, null)],
                ['sh', '-c', 'x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x=$x$x; done'])
        then:
        r.code == 137
        r.result.oomKilled()
    }

    def "pids limit stops a fork loop"() {
        when:
        def script = ['sh', '-c', 'n=0; while [ $n -lt 40 ]; do sleep 2 & n=$((n+1)); echo $n; done']
        def limited = run([resources: new Resources(null, null, null, null, 20L)], script)
        def free = run(script)
        then:
        limited.code != 0
        limited.err.contains("can't fork")
        (limited.out.readLines().last() as int) < 20
        free.code == 0
        free.out.readLines().last() == '40'
    }

    def "the image store's busybox image runs by name; an unknown image is a one-line error"() {
        given:
        engine.images().ensureDefaultBusybox()
        def out = new ByteArrayOutputStream()
        when:
        def r = engine.run(new ContainerSettings('busybox', 'bb1', ['sh', '-c', 'echo $HOSTNAME; id -u'], null, null, null, null, null),
                Stdio.of(null, out, null))
        then:
        r.exitCode() == 0
        r.name() == 'bb1'
        out.toString() == r.id().substring(0, 12) + '\n0\n'
        when:
        engine.run(new ContainerSettings('nosuchimage', null, ['true'], null, null, null, null, null), Stdio.of(null, null, null))
        then:
        def e = thrown(RuntimeException)
        e.message == 'no such image: nosuchimage'
    }

    def "inside, /sys/fs/cgroup shows the container's own cgroups (cgroup namespace root), read-only, with its limits"() {
        given:
        boolean v1 = engine.cgroups().version() == 'v1'
        def files = v1 ? 'memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us pids/pids.max' : 'memory.max cpu.max pids.max'
        def probe = v1 ? 'memory/sub' : 'sub'
        when:
        def r = run([resources: new Resources(32L << 20, null, 0.5d, null, 20L)], ['sh', '-c', """
            cd /sys/fs/cgroup && cat $files
            grep -E '${v1 ? ':(memory|pids):' : '^0::'}' /proc/self/cgroup | cut -d: -f3
            mkdir /sys/fs/cgroup/$probe 2>/dev/null && echo writable || echo read-only
        """.toString()])
        then:
        r.out.readLines() == (v1 ? [String.valueOf(32L << 20), '50000', '20', '/', '/', 'read-only']
                                 : [String.valueOf(32L << 20), '50000 100000', '20', '/', 'read-only'])
    }

    def "stdin is passed to the container"() {
        expect:
        run([stdin: 'one\ntwo\n'], ['wc', '-l']).out.trim() == '2'
    }

    def "interrupting the caller stops the container and cleans up"() {
        given:
        def result = null
        def error = null
        def t = Thread.start {
            try {
                result = run(['sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.1; done'])
            } catch (Throwable e) {
                error = e
            }
        }
        awaitCatching(awaitExecutor().children().findFirst().get(), [15])
        when:
        t.interrupt()
        t.join(20000)
        then:
        !t.alive
        error == null
        result.code == 42
    }
}

package io.cgroovy.shell

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The shell in a real terminal (tmux) driving a remote engine: `cgroovy serve` started here (its
 * own state root and cgroup parent) and `engine 'unix://...'` typed at the prompt. A container's
 * terminal goes through the engine's hijacked attach stream and resize endpoints and must behave as
 * on the built-in runtime (TerminalScreenSpec): raw keys, the window's size and its changes, exit code
 * at the prompt, the next key the prompt's, Ctrl-P Ctrl-Q and attach; docker exec -it likewise.
 */
@IgnoreIf(value = { !TmuxScreen.available() }, reason = 'tmux is not installed (scripts/install-deps)')
@IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
@Timeout(400)
class RemoteTerminalScreenSpec extends Specification {
    @TempDir Path dir
    String id = UUID.randomUUID().toString().substring(0, 8)
    String cgroupParent = 'cgroovy-rscreen-' + id
    String servedParent = 'cgroovy-rserved-' + id
    TmuxScreen screen
    Process served

    def setup() {
        screen = new TmuxScreen(dir, 100, 40)
    }

    def cleanup() {
        screen?.close()
        if (served != null) {
            removeContainers(dir.resolve('served-root'), "engine 'unix://${socket()}'\n")
            served.destroy()   // SIGTERM: the server stops serving and closes its engine
            if (!served.waitFor(60, TimeUnit.SECONDS)) served.destroyForcibly()
        }
        removeContainers(dir.resolve('root'), '')
        List<String> left = TestCgroups.remove(cgroupParent) + TestCgroups.remove(servedParent)
        assert left.isEmpty(): "cgroups left behind: ${left}"
    }

    Path socket() { dir.resolve('engine.sock') }

    private void removeContainers(Path root, String engine) {
        if (!Files.isDirectory(root.resolve('containers'))) return
        Map r = launchWith(root, [], engine + 'ps(all: true).each { it.rm(force: true) }\n')
        if (r.status != 0) System.err.println("removing the containers of ${root}: ${r.err}")
    }

    private Map<String, String> env(Map<String, String> more = [:]) {
        [CGROOVY_CLASSPATH: System.getProperty('java.class.path'), CGROOVY_ROOT: dir.resolve('root').toString(),
         CGROOVY_CGROUP_PARENT: cgroupParent, CGROOVY_HISTORY: dir.resolve('history').toString(), TERM: 'xterm-256color'] + more
    }

    /** `cgroovy serve` on a socket in the temp dir, answering /_ping. */
    private void serve() {
        ProcessBuilder pb = new ProcessBuilder(LauncherSpec.LAUNCHER.toString(), 'serve', '--socket', socket().toString())
        pb.environment().putAll(env(CGROOVY_ROOT: dir.resolve('served-root').toString(), CGROOVY_CGROUP_PARENT: servedParent))
        pb.redirectOutput(dir.resolve('serve.out').toFile()).redirectError(dir.resolve('serve.err').toFile())
        served = pb.start()
        long end = System.nanoTime() + 120_000_000_000L
        while (!Files.exists(socket())) {
            assert served.alive && System.nanoTime() < end: "cgroovy serve did not start: ${Files.readString(dir.resolve('serve.err'))}"
            Thread.sleep(100)
        }
    }

    private void startShell() {
        screen.start(LauncherSpec.LAUNCHER.toString(), env(), dir)
        screen.await('cgroovy>')
    }

    /** Types a line and Enter, then waits for {@code expected} on the screen after it; the screen from the line on. */
    private String enter(String line, String expected) {
        screen.type(line)
        screen.await(line)
        int at = screen.text.lastIndexOf(line)
        screen.press('Enter')
        screen.awaitAfter(at, expected)
    }

    /** Types {@code line} and Enter until {@code expected} shows (the container's SIGWINCH may lag behind the window's change). */
    private String untilShown(String line, String expected, int tries = 10) {
        for (int i = 1; ; i++) {
            screen.type(line)
            screen.press('Enter')
            try {
                return screen.await(expected, i < tries ? 5 : 60)
            } catch (AssertionError e) {
                if (i >= tries) throw e
            }
        }
    }

    def "through cgroovy serve, tty(): sh has the window's size, follows a resize, takes Ctrl-C, exit 3 gives the prompt back; Ctrl-P Ctrl-Q detaches and attach comes back"() {
        given:
        serve()
        startShell()
        enter("engine 'unix://${socket()}'", '==> engine unix://')

        when: 'sh with a terminal in the remote container: pid 1, the window size, arithmetic typed raw'
        enter("container('busybox') { tty(); run 'sh' }", '/ #')
        String pid = enter('echo pid-$$', 'pid-1')
        String size = enter('echo size-$(stty size)', 'size-40 100')
        String sum = enter('echo $((6*7))', '42')
        screen.resize(80, 30)
        String resized = untilShown('echo resized-$(stty size)', 'resized-30 80')

        and: 'Ctrl-C goes to what runs in that sh, not to the container'
        enter('echo start-$((6*7)); sleep 600', 'start-42')
        screen.press('C-c')
        String interrupted = enter('echo after-$((6*7))', 'after-42')

        and: 'exit 3: the prompt is back with the exit code and reads the very next key'
        String back = enter('exit 3', '==> container ')
        String after = enter('1 + 1', '==> 2')

        and: 'another one left running with Ctrl-P Ctrl-Q, then attach to it, and its exit'
        screen.resize(100, 40)
        untilShown('3 + 3', '==> 6')
        enter("container('busybox') { name 'rtty-2'; tty(); run 'sh' }", '/ #')
        int before = screen.text.lastIndexOf('rtty-2')
        screen.press('C-p', 'C-q')
        String detached = screen.awaitAfter(before + 1, '\ncgroovy>')
        String after2 = enter('2 + 2', '==> 4')
        String running = enter("inspect('rtty-2').status", '==> ')
        enter("attach 'rtty-2'", "attach 'rtty-2'")
        String attached = untilShown('echo again-$((5*5))-$(stty size)', 'again-25-40 100')
        enter('exit 5', 'cgroovy>')
        String code = enter("inspect('rtty-2').wait()", '==> 5')

        then:
        pid.contains('pid-1')
        size.contains('size-40 100')
        sum.contains('\n42')
        resized.contains('resized-30 80')
        interrupted.contains('after-42')
        back.contains('exited 3')
        after.contains('==> 2')
        detached.contains('\n==> container rtty-2 ')           // on a line of its own, after sh's prompt
        after2.contains('==> 4')
        running.contains("==> running")
        attached.contains('again-25-40 100')
        code.contains('==> 5')
    }

    def "c.exec 'sh', tty: true on #engine: a terminal of the window's size that follows a resize; its exit code at the prompt"() {
        given:
        if (engine == 'cgroovy serve') serve()
        startShell()
        if (engine == 'cgroovy serve') enter("engine 'unix://${socket()}'", '==> engine unix://')
        enter("w = container('busybox') { name 'rexec-1'; detach(); run 'sleep 300' }", '==> container rexec-1')

        when:
        enter("w.exec 'sh', tty: true", '/ #')
        String tty = enter('tty; echo size-$(stty size)', 'size-40 100')
        screen.resize(90, 35)
        String resized = untilShown('echo resized-$(stty size)', 'resized-35 90')
        String back = enter('exit 4', '==> 4')
        String after = enter('6 * 7', '==> 42')

        then:
        tty.contains('/dev/pts/')
        tty.contains('size-40 100')
        resized.contains('resized-35 90')
        back.contains('==> 4')
        after.contains('==> 42')

        cleanup:
        enter("w.rm(force: true)", 'cgroovy>')

        where:
        engine << ['built-in', 'cgroovy serve']
    }

    private Map launchWith(Path root, List<String> args, String input) {
        ProcessBuilder pb = new ProcessBuilder([LauncherSpec.LAUNCHER.toString()] + (args as List))
        pb.environment().putAll(env(CGROOVY_ROOT: root.toString()))
        Path out = Files.createTempFile(dir, 'out', '.txt')
        Path err = Files.createTempFile(dir, 'err', '.txt')
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        Process p = pb.start()
        p.outputStream.withCloseable { it.write(input.getBytes('UTF-8')) }
        assert p.waitFor(240, TimeUnit.SECONDS)
        [status: p.exitValue(), out: Files.readString(out), err: Files.readString(err)]
    }
}

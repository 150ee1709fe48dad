package io.cgroovy.shell

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A container's terminal from the shell in a real terminal (tmux), each walk-through on both engines:
 * the built-in runtime, and `cgroovy serve` started here (its own state root and cgroup parent) with
 * `engine 'unix://...'` typed at the prompt, where the keys go through the engine's hijacked attach
 * stream and the size to its resize endpoints. Both must behave alike: raw keys, the window's size and
 * its changes, exit code at the prompt, the next key the prompt's, Ctrl-P Ctrl-Q and attach; exec -it likewise.
 */
@IgnoreIf(value = { !TmuxScreen.available() }, reason = 'tmux is not installed (scripts/install-deps)')
@IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
@Timeout(400)
class RemoteTerminalScreenSpec extends Specification {
    static final String SERVE = 'cgroovy serve'
    static final List<String> ENGINES = ['built-in', SERVE]

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

    private Map<String, String> env(Map<String, String> more = [:]) { ShellLaunch.env(dir, cgroupParent, more) }

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

    /** The shell at its prompt on {@code engine}: the built-in runtime, or `cgroovy serve` started here and named with the engine word. */
    private void startShellOn(String engine) {
        if (engine == SERVE) serve()
        startShell()
        if (engine == SERVE) screen.enter("engine 'unix://${socket()}'", '==> engine unix://')
    }

    def "tty() on #engine: sh is pid 1 with the window's size, follows a resize, takes Ctrl-C, exit 3 gives the prompt back; Ctrl-P Ctrl-Q detaches, ps() lists it, attach comes back"() {
        given:
        startShellOn(engine)

        when: 'sh with a terminal: pid 1, the window size, arithmetic typed raw; then the window shrinks'
        screen.enter("container('busybox') { tty(); run 'sh' }", '/ #')            // busybox sh's prompt as root
        String pid = screen.enter('echo pid-$$', 'pid-1')
        String size = screen.enter('echo size-$(stty size)', 'size-40 100')         // rows columns of the tmux window
        String sum = screen.enter('echo $((6*7))', '42')
        screen.resize(80, 30)
        String resized = screen.untilShown('echo resized-$(stty size)', 'resized-30 80')

        and: 'Ctrl-C stops what runs in that sh (the PTY is its controlling terminal), not the container'
        screen.enter('echo start-$((6*7)); sleep 600', 'start-42')
        screen.press('C-c')
        String interrupted = screen.enter('echo after-$((6*7))', 'after-42')

        and: 'exit 3: the prompt is back with the exit code and reads the very next key'
        String back = screen.enter('exit 3', '==> container ')
        String after = screen.enter('1 + 1', '==> 2')

        and: 'another one is left running with Ctrl-P Ctrl-Q (at the first size again, so ps() has room)'
        screen.resize(100, 40)
        screen.untilShown('3 + 3', '==> 6')   // the prompt redraws for the new size: a line typed meanwhile would show mangled
        screen.enter("container('busybox') { name 'screen-tty-2'; tty(); run 'sh' }", '/ #')
        int before = screen.text.lastIndexOf('screen-tty-2')
        screen.press('C-p', 'C-q')
        String detached = screen.awaitAfter(before + 1, '\ncgroovy>')
        String after2 = screen.enter('2 + 2', '==> 4')
        String table = screen.enter('ps()', 'screen-tty-2')
        String running = screen.enter("inspect('screen-tty-2').status", '==> ')

        and: 'attach goes back in at the window\'s size; its exit code'
        screen.enter("attach 'screen-tty-2'", "attach 'screen-tty-2'")
        String attached = screen.untilShown('echo again-$((5*5))-$(stty size)', 'again-25-40 100')
        screen.enter('exit 5', 'cgroovy>')
        String code = screen.enter("inspect('screen-tty-2').wait()", '==> 5')

        then:
        pid.contains('pid-1')
        size.contains('size-40 100')
        sum.contains('\n42')
        resized.contains('resized-30 80')
        interrupted.contains('after-42')
        back.contains('exited 3')
        after.contains('==> 2')
        detached.contains('\n==> container screen-tty-2 ')   // on a line of its own, after sh's prompt
        after2.contains('==> 4')
        table =~ /[0-9a-f]{12}\s+busybox\s+.*Up .*screen-tty-2/
        running.contains('==> running')
        attached.contains('again-25-40 100')
        code.contains('==> 5')

        where:
        engine << ENGINES
    }

    def "c.exec 'sh', tty: true on #engine: a terminal of the window's size that follows a resize; its exit code at the prompt"() {
        given:
        startShellOn(engine)
        screen.enter("w = container('busybox') { name 'rexec-1'; detach(); run 'sleep 300' }", '==> container rexec-1')

        when:
        screen.enter("w.exec 'sh', tty: true", '/ #')
        String tty = screen.enter('tty; echo size-$(stty size)', 'size-40 100')
        screen.resize(90, 35)
        String resized = screen.untilShown('echo resized-$(stty size)', 'resized-35 90')
        String back = screen.enter('exit 4', '==> 4')
        String after = screen.enter('6 * 7', '==> 42')

        then:
        tty.contains('/dev/pts/')
        tty.contains('size-40 100')
        resized.contains('resized-35 90')
        back.contains('==> 4')
        after.contains('==> 42')

        cleanup:
        screen.enter("w.rm(force: true)", 'cgroovy>')

        where:
        engine << ENGINES
    }

    private Map launchWith(Path root, List<String> args, String input) {
        ShellLaunch.run(env(CGROOVY_ROOT: root.toString()), dir, args, input)
    }
}

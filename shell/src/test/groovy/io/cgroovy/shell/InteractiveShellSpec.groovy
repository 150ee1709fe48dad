package io.cgroovy.shell

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The whole stack on a real terminal: the launcher runs under util-linux `script`, which gives
 * it a pseudo-terminal; keystrokes (Ctrl-C is byte 3, Ctrl-D byte 4) go through the pty's line
 * discipline exactly as typed ones do.
 */
@IgnoreIf({ !new File('/usr/bin/script').canExecute() })
@Timeout(300)
class InteractiveShellSpec extends Specification {
    @TempDir Path dir
    String cgroupParent = 'cgroovy-pty-test-' + UUID.randomUUID().toString().substring(0, 8)
    Process process
    StringBuffer screen = new StringBuffer()

    def cleanup() {
        if (process?.alive) {
            // the shell under `script` gets SIGHUP and writes its history on the way out: wait for it
            List<ProcessHandle> shells = process.descendants().toList()
            process.destroyForcibly().waitFor()
            shells.each { ProcessHandle h -> h.onExit().get(30, TimeUnit.SECONDS) }
        }
        List<String> left = TestCgroups.remove(cgroupParent)
        assert left.isEmpty(): "cgroups left behind: ${left}"
    }

    private void start() {
        String launcher = LauncherSpec.LAUNCHER.toString()
        ProcessBuilder pb = new ProcessBuilder('script', '-qec', "stty cols 120 rows 40; exec ${launcher}".toString(), '/dev/null')
        Map<String, String> env = pb.environment()
        env.put('CGROOVY_CLASSPATH', System.getProperty('java.class.path'))
        env.put('CGROOVY_ROOT', dir.resolve('root').toString())
        env.put('CGROOVY_CGROUP_PARENT', cgroupParent)
        env.put('CGROOVY_HISTORY', dir.resolve('history').toString())
        env.put('TERM', 'xterm')
        // the byte stream is read here, not a rendered screen: highlighting redraws words as they
        // are typed, so it is off (TerminalScreenSpec checks colours on a real screen)
        env.put('NO_COLOR', '1')
        pb.redirectErrorStream(true)
        process = pb.start()
        Thread.startDaemon {
            byte[] buf = new byte[4096]
            int n
            while ((n = process.inputStream.read(buf)) > 0) screen.append(new String(buf, 0, n, 'UTF-8'))
        }
    }

    /** What the terminal showed so far, escape sequences removed. */
    private String getText() { screen.toString().replaceAll(/\u001B\[[?0-9;]*[A-Za-z=>]|\u001B[=>]/, '').replace('\r', '') }

    private void type(String keys) {
        process.outputStream.write(keys.getBytes('UTF-8'))
        process.outputStream.flush()
    }

    /** Waits until the screen (after {@code from}) shows {@code expected}; the position after it. */
    private int await(String expected, int from = 0, long seconds = 60) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (System.nanoTime() < end) {
            int i = text.indexOf(expected, from)
            if (i >= 0) return i + expected.length()
            sleep 50
        }
        throw new AssertionError("terminal never showed '${expected}'; it shows:\n${text.substring(Math.min(from, text.length()))}")
    }

    /** Types {@code line} and Enter (the prompt is showing), waits for {@code expected}. */
    private int enter(String line, String expected, int from) {
        type(line + '\r')
        await(expected, from)
    }

    def "prompt, multi-line input, errors, Ctrl-C on a line and on a runaway loop, history, Ctrl-D"() {
        when:
        start()
        int at = await('cgroovy> ')
        at = enter('x = 1 + 1', '==> 2', at)
        at = await('cgroovy> ', at)
        type('triple = {\r')
        at = await('.> ', at)                         // secondary prompt while the bracket is open
        type('  it * 3\r}\r')
        at = await('==> closure', at)
        at = enter('triple(x)', '==> 6', await('cgroovy> ', at))
        at = enter('nope', "error: unknown variable 'nope'", await('cgroovy> ', at))
        at = await('cgroovy> ', at)
        type('half a line')
        at = await('half a line', at)
        type('\u0003')                               // Ctrl-C drops the line
        at = await('cgroovy> ', at)
        type('while (true) { }\r')
        at = await('while (true) { }', at)
        sleep 1000
        type('\u0003')                               // Ctrl-C interrupts the evaluation, not the JVM
        at = await('error: interrupted', at)
        at = await('cgroovy> ', at)
        type('tri\t(3)\r')                          // Tab completes a variable set earlier
        at = await('==> 9', at)
        at = enter('x', '==> 2', await('cgroovy> ', at))
        at = await('cgroovy> ', at)
        type('\u0004')                               // Ctrl-D leaves

        then:
        process.waitFor(60, TimeUnit.SECONDS)
        process.exitValue() == 0
        !text.contains("unknown word 'half'")            // the Ctrl-C'd line was never evaluated
        List<String> history = Files.readAllLines(dir.resolve('history')).collect { it.substring(it.indexOf(':') + 1) }
        history.containsAll(['x = 1 + 1', 'triple(x)', 'nope', 'x'])
        !history.contains('half a line')
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "Ctrl-C while a container runs in the foreground stops the container, and the shell goes on"() {
        when:
        start()
        int at = await('cgroovy> ')
        type("c = container('busybox') { run 'echo started; sleep 60; echo never' }\r")
        at = await('\nstarted\n', at)              // the output, not the echo of the typed line
        type('\u0003')
        at = await('==> container ', at)
        int ended = await('exited ', at)
        String code = text.substring(ended).readLines()[0].trim()
        at = enter('c.exitCode', "==> ${code}", await('cgroovy> ', ended))
        at = await('cgroovy> ', at)
        type('exit 0\r')

        then:
        process.waitFor(60, TimeUnit.SECONDS)
        process.exitValue() == 0
        code in ['130', '143']          // SIGINT from the terminal or SIGTERM from the engine
        !text.contains('\nnever\n')
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "a foreground container reads what is typed at the terminal, not the shell"() {
        when:
        start()
        int at = await('cgroovy> ')
        type("container('busybox') { run 'echo ready; read x; echo got \$x; read y; echo got \$y' }.exitCode\r")
        at = await('\nready\n', at)
        type('hello\r')
        at = await('got hello', at)
        type('world\r')
        at = await('got world', at)
        at = await('==> 0', at)
        at = await('cgroovy> ', at)
        type('exit 0\r')

        then:
        process.waitFor(60, TimeUnit.SECONDS)
        process.exitValue() == 0
    }
}

package io.cgroovy.shell

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real terminal for the shell: a tmux server on its own socket runs the command in a window of
 * a fixed size; keys go in with send-keys, and capture-pane reads what the screen shows (as a
 * terminal renders it: completion lists, tables, progress bars redrawn in place).
 */
class TmuxScreen implements Closeable {
    final Path socket
    final int width
    final int height

    TmuxScreen(Path dir, int width = 120, int height = 40) {
        this.socket = dir.resolve('tmux.sock')
        this.width = width
        this.height = height
    }

    static boolean available() { ['sh', '-c', 'command -v tmux'].execute().waitFor() == 0 }

    /** Starts {@code command} (a program and its arguments, shell-quoted) with {@code env}, in {@code cwd}, in a new window. */
    void start(String command, Map<String, String> env, Path cwd) {
        String exports = env.collect { k, v -> "${k}=${shellQuote(v)}" }.join(' ')
        tmux('new-session', '-d', '-x', "${width}", '-y', "${height}",
                "cd ${shellQuote(cwd.toString())} && env ${exports} ${command}; echo '[exited '\$?']'; sleep 600")
        tmux('set-option', '-g', 'history-limit', '5000')
    }

    static String shellQuote(String s) { "'" + s.replace("'", "'\\''") + "'" }

    /** Types literal text (no key names are interpreted). */
    void type(String text) { tmux('send-keys', '-l', text) }

    /** Presses keys by tmux name: Enter, Tab, C-c, C-d, Up, ... */
    void press(String... keys) { tmux(*(['send-keys'] + (keys as List))) }

    /** The screen now (plus the scrolled-off history), without trailing blank lines. */
    String getText() { tmux('capture-pane', '-p', '-J', '-S', '-5000').replaceAll(/\s+$/, '') }

    /** Waits until the screen shows {@code expected}; the screen then. */
    String await(String expected, long seconds = 90) {
        poll("'${expected}'", seconds) { String now -> now.contains(expected) ? now : null }
    }

    /** Waits until the screen shows {@code expected} after position {@code from}; the screen from {@code from} on. */
    String awaitAfter(int from, String expected, long seconds = 90) {
        poll("'${expected}'", seconds) { String now ->
            int at = Math.min(from, now.length())
            now.indexOf(expected, at) >= 0 ? now.substring(at) : null
        }
    }

    /** Types a line and Enter, then waits for {@code expected} on the screen after it; the screen from the line on. */
    String enter(String line, String expected) {
        type(line)
        await(line)
        int at = text.lastIndexOf(line)
        press('Enter')
        awaitAfter(at, expected)
    }

    /**
     * Types {@code line} and Enter until {@code expected} shows (what a container sees may lag behind
     * a change of the window by the time its SIGWINCH takes); the screen then.
     */
    String untilShown(String line, String expected, int tries = 10) {
        for (int i = 1; ; i++) {
            type(line)
            press('Enter')
            try {
                return await(expected, i < tries ? 5 : 60)
            } catch (AssertionError e) {
                if (i >= tries) throw e
            }
        }
    }

    /** Waits until {@code expected} occurs {@code times} times on the screen. */
    String awaitCount(String expected, int times, long seconds = 90) {
        poll("'${expected}' ${times} times", seconds) { String now -> now.count(expected) >= times ? now : null }
    }

    /** Reads the screen every 100 ms for up to {@code seconds} until {@code found} makes a result of it; else fails naming {@code what}. */
    private String poll(String what, long seconds, Closure<String> found) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        String now = ''
        while (System.nanoTime() < end) {
            now = text
            String result = found(now)
            if (result != null) return result
            sleep 100
        }
        throw new AssertionError("the terminal never showed ${what}; it shows:\n${now}")
    }

    private String tmux(Object... args) {
        List<String> cmd = ['tmux', '-S', socket.toString()] + args.collect { String.valueOf(it) }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String out = p.inputStream.text
        if (!p.waitFor(30, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("tmux ${args[0]} hung") }
        if (p.exitValue() != 0) throw new IllegalStateException("tmux ${args[0]} failed: ${out}")
        out
    }

    /** Resizes the window (the program in it gets SIGWINCH). */
    void resize(int columns, int rows) { tmux('resize-window', '-x', "${columns}", '-y', "${rows}") }

    /** The screen with its escape codes (colours). */
    String getAnsi() { tmux('capture-pane', '-p', '-e', '-J').replaceAll(/\s+$/, '') }

    /**
     * Ends the tmux server; what runs in its window gets SIGHUP (the shell stops its container and
     * writes its history on the way out): waits for those processes to end.
     */
    @Override
    void close() {
        List<ProcessHandle> inWindow = []
        try {
            long pid = tmux('display-message', '-p', '#{pane_pid}').trim() as long
            ProcessHandle.of(pid).ifPresent { ProcessHandle h -> inWindow << h; inWindow.addAll(h.descendants().toList()) }
        } catch (RuntimeException ignored) {
            // no server (never started, or already gone)
        }
        Process p = new ProcessBuilder('tmux', '-S', socket.toString(), 'kill-server').redirectErrorStream(true).start()
        p.inputStream.text
        p.waitFor(30, TimeUnit.SECONDS)
        inWindow.each { ProcessHandle h ->
            try { h.onExit().get(60, TimeUnit.SECONDS) } catch (Exception e) { h.destroyForcibly() }
        }
    }
}

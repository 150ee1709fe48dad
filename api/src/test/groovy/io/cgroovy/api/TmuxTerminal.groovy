package io.cgroovy.api

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real pseudo-terminal for the docker CLI: a tmux server on its own socket runs one command in a
 * window of a set size; keys go in with send-keys, the screen comes back with capture-pane.
 */
class TmuxTerminal implements Closeable {
    final Path socket

    /** tmux is installed (scripts/install-deps). */
    static boolean available() { java.nio.file.Files.isExecutable(Path.of('/usr/bin/tmux')) }

    TmuxTerminal(Path dir) { socket = dir.resolve("tmux-${UUID.randomUUID().toString().substring(0, 8)}.sock") }

    /** Runs {@code command} (shell words) with {@code env} in a {@code cols} x {@code rows} window; prints "[exited N]" after it. */
    void start(String command, List<String> env, int cols, int rows) {
        String exports = env.collect { quote(it) }.join(' ')
        tmux('new-session', '-d', '-x', cols, '-y', rows, "env ${exports} ${command}; echo \"[exited \$?]\"; sleep 600")
    }

    static String quote(String s) { "'" + s.replace("'", "'\\''") + "'" }

    void type(String text) { tmux('send-keys', '-l', text) }

    void press(String... keys) { tmux(*(['send-keys'] + (keys as List))) }

    /** Resizes the window (the client inside gets SIGWINCH). */
    void resize(int cols, int rows) { tmux('resize-window', '-x', cols, '-y', rows) }

    String getText() { tmux('capture-pane', '-p', '-J', '-S', '-2000').replaceAll(/\s+$/, '') }

    /** Waits until the screen matches {@code pattern} (anywhere); the match's groups, or the whole match. */
    List<String> await(String pattern, long seconds = 90) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        String now = ''
        while (System.nanoTime() < end) {
            now = text
            def m = now =~ pattern
            if (m.find()) return (0..m.groupCount()).collect { m.group(it) }
            sleep 100
        }
        throw new AssertionError("the terminal never showed /${pattern}/; it shows:\n${now}")
    }

    private String tmux(Object... args) {
        def p = (['tmux', '-S', socket.toString()] + args.collect { String.valueOf(it) }).execute()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        if (p.exitValue() != 0) throw new IllegalStateException("tmux ${args[0]}: ${err.toString().trim()}")
        out.toString()
    }

    @Override void close() {
        def p = ['tmux', '-S', socket.toString(), 'kill-server'].execute()
        p.waitForProcessOutput(new StringBuilder(), new StringBuilder())
        socket.toFile().delete()
    }
}

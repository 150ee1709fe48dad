package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * The controlling terminal of the JVM for attach: raw mode with {@code stty} on /dev/tty (restored
 * after), and its window size passed on now and at every SIGWINCH. Null from {@link #open} when
 * there is no terminal (piped input, tests).
 */
@CompileStatic
final class Terminal {
    private final File tty
    private String saved
    private Object previousHandler

    private Terminal(File tty) { this.tty = tty }

    static Terminal open() {
        File tty = new File('/dev/tty')
        if (System.console() == null || !tty.exists()) return null
        try {
            new FileInputStream(tty).close()
        } catch (IOException e) {
            return null
        }
        new Terminal(tty)
    }

    void raw() {
        saved = stty('-g').trim()
        stty('raw', '-echo')
    }

    /** Calls {@code resize(rows, cols)} now and whenever the window changes. */
    void onResize(Closure<?> resize) {
        Closure<?> send = {
            String[] size = stty('size').trim().split(/\s+/)
            if (size.length == 2 && size[0].isInteger()) {
                try {
                    resize.call(size[0] as int, size[1] as int)
                } catch (RuntimeException ignored) {
                    // the container has just ended
                }
            }
        }
        send.call()
        try {
            previousHandler = sun.misc.Signal.handle(new sun.misc.Signal('WINCH'), { sun.misc.Signal s -> send.call() } as sun.misc.SignalHandler)
        } catch (IllegalArgumentException ignored) {
            // this JVM does not let us have SIGWINCH: the size is passed once
        }
    }

    void restore() {
        if (previousHandler != null) sun.misc.Signal.handle(new sun.misc.Signal('WINCH'), (sun.misc.SignalHandler) previousHandler)
        if (saved) stty(saved)
    }

    private String stty(String... args) {
        ProcessBuilder pb = new ProcessBuilder((['stty'] + (args as List<String>)) as List<String>)
        pb.redirectInput(tty)
        pb.redirectError(ProcessBuilder.Redirect.INHERIT)
        Process p = pb.start()
        String out = p.inputStream.text
        p.waitFor()
        out
    }
}

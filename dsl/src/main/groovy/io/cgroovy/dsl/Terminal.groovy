package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.StdinLease

import java.util.function.BiConsumer

/**
 * The controlling terminal of the JVM for attach when no shell owns it (a recipe run from a
 * terminal): raw mode with {@code stty} on /dev/tty (restored after), its window size passed on now
 * and at every SIGWINCH, keystrokes from a {@link StdinLease} that ends with the attach, so no key
 * typed after it is taken by its input thread. Null from {@link #open} when there is no terminal.
 */
@CompileStatic
final class Terminal implements AttachTerminal {
    private final File tty
    private String saved
    private StdinLease keys
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

    @Override
    InputStream begin(boolean raw) {
        if (raw) {
            saved = stty('-g').trim()
            stty('raw', '-echo')
        }
        keys = StdinLease.take()
    }

    @Override
    void onResize(BiConsumer<Integer, Integer> resize) {
        Closure<?> send = {
            String[] size = stty('size').trim().split(/\s+/)
            if (size.length == 2 && size[0].isInteger()) {
                try {
                    resize.accept(size[0] as Integer, size[1] as Integer)
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

    @Override
    void end() {
        keys?.end()   // first: no read of fd 0 is left in flight when the terminal goes back to line mode
        keys = null
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

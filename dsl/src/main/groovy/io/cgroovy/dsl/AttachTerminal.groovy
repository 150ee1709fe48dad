package io.cgroovy.dsl

import groovy.transform.CompileStatic

import java.util.function.BiConsumer

/**
 * The user's terminal while a container is attached to it (docker run -it, docker attach): the shell
 * gives its own (one reader of the keyboard, so no keystroke is lost to a reader left behind when
 * the container ends); a recipe uses {@link Terminal} on /dev/tty.
 */
@CompileStatic
interface AttachTerminal {
    /**
     * Starts an attach; {@code raw} (a TTY container): no echo, no line editing, Ctrl-C and
     * Ctrl-Z are bytes for the container. What the user types for the container: a stream that
     * ends at {@link #end}.
     */
    InputStream begin(boolean raw)

    /** Calls {@code resize(rows, cols)} now and at every window change until {@link #end}. */
    void onResize(BiConsumer<Integer, Integer> resize)

    /** The terminal as it was before {@link #begin}; the input stream ends. */
    void end()
}

package io.cgroovy.shell;

import io.cgroovy.dsl.AttachTerminal;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlocking;
import org.jline.utils.NonBlockingInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.function.BiConsumer;

/**
 * The prompt's terminal lent to an attached container. Keystrokes come from JLine's own input
 * (the one reader of the keyboard): a second reader on stdin would be left blocked when the
 * container ends and would eat the next line typed at the prompt. Raw mode is cfmakeraw's (Ctrl-C
 * and Ctrl-Z go to the container, its PTY already turns \n into \r\n); the window size goes to the
 * container now and at every SIGWINCH.
 */
final class TerminalAttach implements AttachTerminal {
    /** How often a waiting read checks whether the attach has ended (a keystroke arrives at once). */
    private static final long POLL_MILLIS = 50;

    private final Terminal terminal;
    private final NonBlockingInputStream keys;
    private Attributes saved;
    private Terminal.SignalHandler previousWinch;
    private volatile boolean ended;
    /** Held while the container's side polls the keyboard, so {@link #end} can wait for a poll in flight. */
    private final Object reading = new Object();

    TerminalAttach(Terminal terminal) {
        this.terminal = terminal;
        InputStream in = terminal.input();
        this.keys = in instanceof NonBlockingInputStream nb ? nb : NonBlocking.nonBlocking(terminal.getName(), in);
    }

    @Override
    public synchronized InputStream begin(boolean raw) {
        ended = false;
        saved = null;
        if (raw) {
            saved = terminal.getAttributes();
            Attributes a = new Attributes(saved);
            a.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO, Attributes.LocalFlag.ECHONL,
                    Attributes.LocalFlag.ISIG, Attributes.LocalFlag.IEXTEN), false);
            a.setInputFlags(EnumSet.of(Attributes.InputFlag.IGNBRK, Attributes.InputFlag.BRKINT, Attributes.InputFlag.PARMRK,
                    Attributes.InputFlag.ISTRIP, Attributes.InputFlag.INLCR, Attributes.InputFlag.IGNCR,
                    Attributes.InputFlag.ICRNL, Attributes.InputFlag.IXON), false);
            a.setOutputFlags(EnumSet.of(Attributes.OutputFlag.OPOST), false);
            a.setControlChar(Attributes.ControlChar.VMIN, 1);
            a.setControlChar(Attributes.ControlChar.VTIME, 0);
            terminal.setAttributes(a);
        }
        terminal.flush();
        return new Keys();
    }

    @Override
    public synchronized void onResize(BiConsumer<Integer, Integer> resize) {
        Terminal.SignalHandler send = signal -> {
            Size size = terminal.getSize();
            if (size.getRows() <= 0 || size.getColumns() <= 0) return;
            try {
                resize.accept(size.getRows(), size.getColumns());
            } catch (RuntimeException ignored) {
                // the container has just ended
            }
        };
        send.handle(Terminal.Signal.WINCH);
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.WINCH, send);
        if (previousWinch == null) previousWinch = previous;
    }

    @Override
    public synchronized void end() {
        ended = true;
        // a poll in flight ends within POLL_MILLIS; after that nothing but the prompt reads the keyboard, so
        // the first key typed at the next prompt is not taken by the container that has just ended
        synchronized (reading) {   // (ended is set first: a reader holding the lock sees it at its next poll and lets go)
            terminal.flush();
        }
        if (previousWinch != null) terminal.handle(Terminal.Signal.WINCH, previousWinch);
        previousWinch = null;
        if (saved != null) terminal.setAttributes(saved);
        saved = null;
        terminal.flush();
    }

    /** The keyboard until {@link #end}: then end of input, and what is typed next is the prompt's. */
    private final class Keys extends InputStream {
        @Override
        public int read() throws IOException {
            while (true) {
                synchronized (reading) {
                    if (ended) return -1;
                    int c = keys.read(POLL_MILLIS);
                    if (c != NonBlockingInputStream.READ_EXPIRED) return c;
                }
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            synchronized (reading) {
                int c = read();
                if (c < 0) return -1;
                b[off] = (byte) c;
                int n = 1;
                while (n < len && !ended && keys.peek(1) >= 0) {   // the rest of a paste or an escape sequence
                    b[off + n++] = (byte) keys.read();
                }
                return n;
            }
        }
    }
}

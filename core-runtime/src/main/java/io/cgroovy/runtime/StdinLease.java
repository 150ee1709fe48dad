package io.cgroovy.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * The JVM's standard input (fd 0, the terminal of a recipe) lent to one attach or exec until it
 * {@link #end}s: then its reads return end of input, and what is typed next stays unread for the
 * next lease (or a foreground container that inherits fd 0). A thread blocked in a read of a
 * terminal cannot be woken, so a lease never blocks in one: it waits with poll(2) in short steps and
 * reads only bytes that are there. Leases read one at a time.
 */
public final class StdinLease extends InputStream {
    /** How often a waiting read checks whether its lease has ended (a key arrives at once). */
    private static final int POLL_MILLIS = 50;
    private static final short POLLIN = 0x1;
    private static final short POLLNVAL = 0x20;
    private static final int EINTR = 4;
    /** Unbuffered: every byte read is handed out at once, none kept behind for a lease that has ended. */
    private static final FileInputStream FD0 = new FileInputStream(FileDescriptor.in);
    /** Held by a read while it polls and reads, so {@link #end} can wait for one in flight. */
    private static final Object READING = new Object();

    interface C extends Library {
        C LIB = Native.load("c", C.class);
        int poll(Pointer fds, NativeLong nfds, int timeout) throws LastErrorException;
    }

    private final Memory pollfd = new Memory(8);   // struct pollfd { int fd; short events; short revents; }
    private volatile boolean ended;

    private StdinLease() {}

    /** A lease of the JVM's stdin; its caller ends it when its attach or exec is over. */
    public static StdinLease take() { return new StdinLease(); }

    /**
     * Ends the lease: a read waiting in it returns end of input, no byte is read for it any more.
     * Returns once a read in flight is done (at most {@value #POLL_MILLIS} ms).
     */
    public void end() {
        ended = true;
        synchronized (READING) {
            // a poll in flight sees ended when it returns and reads nothing
        }
    }

    @Override
    public void close() { end(); }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (true) {
            if (Thread.interrupted()) throw new InterruptedIOException("stdin: interrupted");
            synchronized (READING) {
                if (ended) return -1;
                int revents = poll();
                if (ended) return -1;
                if ((revents & POLLNVAL) != 0) return -1;   // fd 0 is closed: no input
                if (revents != 0) return FD0.read(b, off, len);   // data, its end or an error: read says which, without waiting
            }
        }
    }

    /** Waits up to {@link #POLL_MILLIS} for fd 0; its revents (0: nothing yet). */
    private int poll() throws IOException {
        pollfd.setInt(0, 0);
        pollfd.setShort(4, POLLIN);
        pollfd.setShort(6, (short) 0);
        try {
            return C.LIB.poll(pollfd, new NativeLong(1), POLL_MILLIS) > 0 ? pollfd.getShort(6) : 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) return 0;   // a signal (SIGWINCH): wait again
            throw new IOException("stdin: poll: " + e.getMessage(), e);
        }
    }
}

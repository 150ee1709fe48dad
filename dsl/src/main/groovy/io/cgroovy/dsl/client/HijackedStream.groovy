package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

/**
 * Both directions of a hijacked attach or exec stream (docker run -it, docker attach, docker exec -it):
 * what the user types goes to the server as it comes (its end half-closes the connection: the
 * container's stdin ends), the container's output (raw from a TTY, else 8-byte frames) to
 * {@code out}/{@code err} until the server ends it. Ctrl-P Ctrl-Q are passed on, each in a write
 * of its own: the server detaches on them (Docker's default detach keys, asked for by name); they
 * are noted here so the caller can tell a detach from the end of the container.
 */
@CompileStatic
final class HijackedStream {
    static final int CTRL_P = 0x10
    static final int CTRL_Q = 0x11
    /** The detachKeys query value naming the keys {@link #detachTyped} looks for. */
    static final String DETACH_KEYS = 'ctrl-p,ctrl-q'

    private final DockerHttp.Response response
    private volatile boolean detachTyped

    HijackedStream(DockerHttp.Response response) { this.response = response }

    /** Copies until the server ends the stream; true when Ctrl-P Ctrl-Q were typed (a detach if the container still runs). */
    boolean run(boolean tty, InputStream keys, OutputStream out, OutputStream err) {
        Thread input = null
        if (keys != null) {
            input = new Thread({ pump(keys) } as Runnable, 'cgroovy remote attach stdin')
            input.daemon = true   // a terminal read cannot be interrupted; the keys stream ends with the attach
            input.start()
        }
        DockerHttp.demux(response.body, tty, out, err)
        detachTyped
    }

    private void pump(InputStream keys) {
        OutputStream to = response.output()
        byte[] buf = new byte[4096]
        boolean held = false
        try {
            int n
            while ((n = keys.read(buf)) >= 0) {
                int from = 0
                for (int i = 0; i < n; i++) {
                    int c = buf[i] & 0xff
                    boolean detachKey = c == CTRL_P || (held && c == CTRL_Q)
                    if (detachKey) {
                        send(to, buf, from, i - from, false)
                        boolean last = held && c == CTRL_Q
                        // noted before it goes: the server may end the stream before this thread runs again
                        if (last) detachTyped = true
                        send(to, buf, i, 1, true)
                        if (last) return
                        from = i + 1
                    }
                    held = c == CTRL_P
                }
                send(to, buf, from, n - from, false)
            }
            response.closeWrite()   // stdin ends; the output goes on until the container is done with it
        } catch (IOException ignored) {
            // the stream has ended: the container is gone or the server detached
        }
    }

    /**
     * A detach key goes in a write of its own, KEY_GAP_MS after the write before it and before the
     * write after it: podman's key reader (containers/common detach.Copy) knows a key only when a read
     * returns it alone, so Ctrl-P Ctrl-Q pasted or sent by a script (one read here) would otherwise
     * go to the container and the detach never come. Docker and cgroovy serve find the keys either way.
     */
    private static final long KEY_GAP_MS = 60
    private long lastWrite
    private boolean lastWasKey

    private void send(OutputStream to, byte[] buf, int off, int len, boolean key) throws IOException {
        if (len == 0) return
        if (key || lastWasKey) {
            long wait = lastWrite + KEY_GAP_MS - System.currentTimeMillis()
            if (wait > 0) sleepUninterrupted(wait)
        }
        to.write(buf, off, len)
        to.flush()
        lastWrite = System.currentTimeMillis()
        lastWasKey = key
    }

    private static void sleepUninterrupted(long ms) {
        try {
            Thread.sleep(ms)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt()
            throw new InterruptedIOException('attach input: interrupted')
        }
    }
}

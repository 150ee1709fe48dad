package io.cgroovy.api.endpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;

/**
 * A hijacked connection's input read by a thread of our own. The engine interrupts its stdin pump
 * when the process ends, and an interrupt during a socket channel read closes the channel: the
 * client would see the stream end before the exit code is recorded (docker exec would report 0).
 * Reading here, the interrupt only ends the pipe; the connection stays until the endpoint is done.
 */
final class ShieldedInput {
    private ShieldedInput() {}

    static InputStream of(InputStream connection, String name) throws IOException {
        PipedInputStream in = new PipedInputStream(16384);
        PipedOutputStream feed = new PipedOutputStream(in);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (feed) {
                int n;
                while ((n = connection.read(buf)) >= 0) {
                    feed.write(buf, 0, n);
                    feed.flush();
                }
            } catch (IOException ignored) {
                // the client went away, or the process ended and nobody reads the pipe any more
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return in;
    }
}

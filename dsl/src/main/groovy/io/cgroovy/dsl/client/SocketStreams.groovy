package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.nio.ByteBuffer
import java.nio.channels.SocketChannel

/**
 * Streams over a blocking socket channel that one thread may read while another writes: a hijacked
 * attach stream is read (the container's output) while the keyboard is written to it. JDK 17's
 * {@code Channels.newInputStream}/{@code newOutputStream} take one lock for both, so a write would
 * wait for the blocked read. Still interruptible: an interrupt closes the channel.
 */
@CompileStatic
final class SocketStreams {
    private SocketStreams() {}

    static InputStream input(SocketChannel ch) {
        new InputStream() {
            @Override int read() {
                byte[] one = new byte[1]
                int n = read(one, 0, 1)
                n < 0 ? -1 : (one[0] & 0xff)
            }

            @Override int read(byte[] b, int off, int len) {
                if (len == 0) return 0
                int n
                while ((n = ch.read(ByteBuffer.wrap(b, off, len))) == 0) { /* blocking: 0 only for len 0 */ }
                n
            }
        }
    }

    static OutputStream output(SocketChannel ch) {
        new OutputStream() {
            @Override void write(int b) { write([(byte) b] as byte[], 0, 1) }

            @Override void write(byte[] b, int off, int len) {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len)
                while (buf.hasRemaining()) ch.write(buf)
            }
        }
    }
}

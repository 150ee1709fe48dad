package io.cgroovy.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Attaches the caller's streams to a detached container through its monitor: the container's
 * output (Docker's 8-byte stream frames, or raw from a TTY) goes to {@code out}/{@code err}, what
 * the caller types goes to its stdin or PTY. Ctrl-P Ctrl-Q detaches, as in Docker.
 */
final class Attach {
    static final int CTRL_P = 0x10;
    static final int CTRL_Q = 0x11;

    private Attach() {}

    /** Returns true when the caller detached, false when the container ended. */
    static boolean run(Path socket, boolean tty, InputStream in, OutputStream out, OutputStream err) throws IOException {
        return run(socket, tty, false, in, out, err);
    }

    /** As above; with {@code stdinOnce} the end of {@code in} closes the container's stdin (docker run -i). */
    static boolean run(Path socket, boolean tty, boolean stdinOnce, InputStream in, OutputStream out, OutputStream err) throws IOException {
        SocketChannel ch = MonitorSocket.connect(socket);
        if (ch == null) throw new ContainerException("the container is not running");
        AtomicBoolean detached = new AtomicBoolean(); // set by the input thread
        Thread input = null;
        try (ch) {
            MonitorSocket.write(ch, stdinOnce ? "attach stdin-once\n" : "attach\n");
            String answer = MonitorSocket.readLine(ch);
            if (!answer.equals("ok")) throw new ContainerException("attach: " + answer.replaceFirst("^error ", ""));
            if (in != null) {
                input = new Thread(() -> pumpInput(in, ch, detached, stdinOnce), "cgroovy attach stdin");
                input.setDaemon(true); // in may block: it ends when its caller ends it (a recipe's StdinLease) or with the JVM
                input.start();
            }
            ByteBuffer buf = ByteBuffer.allocate(32768);
            if (tty) {
                while (ch.read(buf.clear()) >= 0) {
                    out.write(buf.array(), 0, buf.position());
                    out.flush();
                }
            } else {
                ByteBuffer hdr = ByteBuffer.allocate(8);
                while (readFully(ch, hdr.clear())) {
                    int stream = hdr.get(0);
                    int size = hdr.getInt(4);
                    ByteBuffer body = ByteBuffer.allocate(size);
                    if (!readFully(ch, body)) break;
                    OutputStream to = stream == 2 ? err : out;
                    if (to != null) {
                        to.write(body.array(), 0, size);
                        to.flush();
                    }
                }
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            // closed by the detach keys: during a read (AsynchronousCloseException) or, when the keys came while
            // output was being passed on, before the next read
            if (!detached.get()) throw e;
        }
        return detached.get();
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) if (ch.read(b) < 0) return false;
        return true;
    }

    /** Copies the caller's input until EOF or Ctrl-P Ctrl-Q (a lone Ctrl-P is passed on with the next byte). */
    private static void pumpInput(InputStream in, SocketChannel ch, AtomicBoolean detached, boolean stdinOnce) {
        byte[] buf = new byte[4096];
        boolean held = false;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                ByteBuffer send = ByteBuffer.allocate(n + 1);
                for (int i = 0; i < n; i++) {
                    int c = buf[i] & 0xff;
                    if (held) {
                        held = false;
                        if (c == CTRL_Q) {
                            detached.set(true);
                            flush(ch, send);
                            ch.close();
                            return;
                        }
                        send.put((byte) CTRL_P);
                    }
                    if (c == CTRL_P) held = true;
                    else send.put((byte) c);
                }
                flush(ch, send);
            }
            if (stdinOnce) ch.shutdownOutput(); // the monitor closes the container's stdin; its output still comes
        } catch (IOException ignored) {
            // the container went away
        }
    }

    private static void flush(SocketChannel ch, ByteBuffer send) throws IOException {
        send.flip();
        while (send.hasRemaining()) ch.write(send);
    }
}

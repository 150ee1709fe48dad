package io.cgroovy.runtime;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Talks to a container's monitor over its unix socket: one command line per connection, one
 * answer line ("ok" or "error TEXT"). A monitor that is gone refuses the connection, so nothing is
 * ever sent to a process that merely reuses its pid.
 */
final class MonitorSocket {
    private MonitorSocket() {}

    /** Connects; null when no monitor listens. */
    static SocketChannel connect(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (IOException e) {
                ch.close();
                return null;
            }
        } catch (IOException e) {
            throw new ContainerException("cannot open a unix socket: " + e.getMessage(), e);
        }
    }

    /** Sends one command; the monitor's answer line, or "error the container is not running" when none listens. */
    static String command(Path socket, String line) {
        SocketChannel ch = connect(socket);
        if (ch == null) return "error the container is not running";
        try (ch) {
            write(ch, line + "\n");
            return readLine(ch);
        } catch (IOException e) {
            return "error the container is not running";
        }
    }

    static void write(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads one answer line byte by byte (nothing after it is consumed). */
    static String readLine(SocketChannel ch) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 4096) {
            one.clear();
            if (ch.read(one) < 0) break;
            char c = (char) one.get(0);
            if (c == '\n') break;
            sb.append(c);
        }
        return sb.toString();
    }
}

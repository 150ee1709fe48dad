package io.cgroovy.api.http;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Where {@link HttpServer} takes connections from: a bound unix or TCP channel, or a TLS server socket. */
public interface Listener extends Closeable {
    /** Blocks until a client connects; throws once closed. */
    Connection accept() throws IOException;

    SocketAddress address() throws IOException;

    /** A bound channel, served in plain HTTP. */
    static Listener of(ServerSocketChannel server) {
        return new Listener() {
            @Override public Connection accept() throws IOException {
                SocketChannel ch = server.accept();
                return new Connection() {
                    @Override public java.io.InputStream in() { return ChannelStreams.in(ch); }

                    @Override public java.io.OutputStream out() { return ChannelStreams.out(ch); }

                    @Override public String peer() {
                        try {
                            return String.valueOf(ch.getRemoteAddress());
                        } catch (IOException e) {
                            return "?";
                        }
                    }

                    @Override public void close() throws IOException { ch.close(); }
                };
            }

            @Override public SocketAddress address() throws IOException { return server.getLocalAddress(); }

            @Override public void close() throws IOException { server.close(); }
        };
    }
}

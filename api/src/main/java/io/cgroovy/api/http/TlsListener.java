package io.cgroovy.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * TCP with TLS (1.2 and 1.3), as dockerd's {@code --tls}/{@code --tlsverify}: with {@code verifyClients}
 * a client without a certificate signed by the context's trusted CA fails the handshake. The
 * handshake runs in the connection's thread, so a slow or silent client holds up nobody else.
 */
public final class TlsListener implements Listener {
    /** A client that connects and says nothing is dropped after this long, its thread freed. */
    static final int HANDSHAKE_TIMEOUT_MS = 20_000;

    private final SSLServerSocket server;

    /** Binds {@code address}; the caller closes the listener. */
    public TlsListener(SSLContext context, InetSocketAddress address, boolean verifyClients) throws IOException {
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        try {
            server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            server.setNeedClientAuth(verifyClients);
            server.bind(address, 128);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override public Connection accept() throws IOException {
        SSLSocket s = (SSLSocket) server.accept();
        return new Connection() {
            @Override public void open() throws IOException {
                s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                s.startHandshake();
                s.setSoTimeout(0);
            }

            @Override public InputStream in() throws IOException { return s.getInputStream(); }

            @Override public OutputStream out() throws IOException { return s.getOutputStream(); }

            @Override public String peer() { return String.valueOf(s.getRemoteSocketAddress()).replaceFirst("^.*/", ""); }

            /**
             * close_notify first: a duplex close() in TLS 1.3 sends user_canceled before it, which Go
             * clients (the docker CLI) take as an error after a stream that ended well.
             */
            @Override public void close() throws IOException {
                try {
                    if (!s.isClosed() && !s.isOutputShutdown()) s.shutdownOutput();
                } catch (IOException e) {
                    // the client is gone already: just close
                } finally {
                    s.close();
                }
            }
        };
    }

    @Override public SocketAddress address() {
        return server.getLocalSocketAddress();
    }

    @Override public void close() throws IOException {
        server.close();
    }
}

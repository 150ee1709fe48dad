package io.cgroovy.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TCP with TLS (1.2 and 1.3), as dockerd's {@code --tls}/{@code --tlsverify}: with {@code verifyClients}
 * a client without a certificate signed by the context's trusted CA fails the handshake. The
 * handshake runs in the connection's thread, so a slow or silent client holds up nobody else.
 */
public final class TlsListener implements Listener {
    /** A client that connects and says nothing is dropped after this long, its thread freed. */
    static final int HANDSHAKE_TIMEOUT_MS = 20_000;
    /** How long a refused client gets to read the alert and hang up. */
    static final int LINGER_MS = 2_000;

    private final ServerSocket server;
    private final SSLSocketFactory tls;
    private final boolean verifyClients;

    /** Binds {@code address}; the caller closes the listener. */
    public TlsListener(SSLContext context, InetSocketAddress address, boolean verifyClients) throws IOException {
        this.tls = context.getSocketFactory();
        this.verifyClients = verifyClients;
        server = new ServerSocket();
        try {
            server.bind(address, 128);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The TLS socket is layered on the accepted one, which this listener keeps: when the handshake
     * fails, the client has often sent its request already (TLS 1.3 clients send it before they learn
     * that their certificate was refused); closing then would reset the connection and lose the alert
     * that says why, so the plain socket is closed the lingering way (FIN, drain, close).
     */
    @Override public Connection accept() throws IOException {
        Socket raw = server.accept();
        return new Connection() {
            private volatile SSLSocket s;

            @Override public void open() throws IOException {
                try {
                    raw.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                    s = (SSLSocket) tls.createSocket(raw, null, false);   // server mode, raw stays ours
                    s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    s.setNeedClientAuth(verifyClients);
                    s.startHandshake();
                    raw.setSoTimeout(0);
                } catch (IOException e) {
                    lingeringClose();
                    throw e;
                }
            }

            @Override public InputStream in() throws IOException { return s.getInputStream(); }

            @Override public OutputStream out() throws IOException { return s.getOutputStream(); }

            @Override public String peer() { return String.valueOf(raw.getRemoteSocketAddress()).replaceFirst("^.*/", ""); }

            /**
             * close_notify first: a duplex close() in TLS 1.3 sends user_canceled before it, which Go
             * clients (the docker CLI) take as an error after a stream that ended well.
             */
            @Override public void close() throws IOException {
                try {
                    if (s != null && !s.isClosed() && !s.isOutputShutdown()) s.shutdownOutput();
                } catch (IOException e) {
                    // the client is gone already: just close
                } finally {
                    try {
                        if (s != null) s.close();
                    } finally {
                        raw.close();
                    }
                }
            }

            private void lingeringClose() {
                try {
                    raw.shutdownOutput();
                    raw.setSoTimeout(LINGER_MS);
                    InputStream in = raw.getInputStream();
                    byte[] buf = new byte[8192];
                    long left = 1 << 20;
                    int n;
                    while (left > 0 && (n = in.read(buf)) >= 0) left -= n;
                } catch (IOException e) {
                    // timed out or reset: close anyway
                } finally {
                    try {
                        raw.close();
                    } catch (IOException ignored) {
                        // closed
                    }
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

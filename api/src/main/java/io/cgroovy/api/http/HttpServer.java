package io.cgroovy.api.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import javax.net.ssl.SSLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small HTTP/1.1 server on a unix or TCP socket channel, or TLS: keep-alive, chunked bodies and
 * hijacking, a thread per connection (Docker clients hold few, long-lived connections).
 */
public final class HttpServer implements Closeable {
    private final Listener server;
    private final Handler handler;
    private final Map<String, String> commonHeaders;
    private final PrintStream log;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closing;

    /** Serves {@code handler} on an already bound channel, answering with {@code commonHeaders} on every response. */
    public HttpServer(ServerSocketChannel server, Handler handler, Map<String, String> commonHeaders, PrintStream log) {
        this(Listener.of(server), handler, commonHeaders, log);
    }

    /** Serves {@code handler} on the connections {@code server} accepts. */
    public HttpServer(Listener server, Handler handler, Map<String, String> commonHeaders, PrintStream log) {
        this.server = server;
        this.handler = handler;
        this.commonHeaders = Map.copyOf(commonHeaders);
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "api-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public SocketAddress address() throws IOException {
        return server.address();
    }

    /** Connections currently open (for leak checks). */
    public int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closing) {
            Connection ch;
            try {
                ch = server.accept();
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                if (!closing) log.println("cgroovy serve: accept failed: " + e.getMessage());
                return;
            }
            open.add(ch);
            Thread t = new Thread(() -> serve(ch), "api-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Connection ch) {
        try (ch) {
            try {
                ch.open();
            } catch (IOException e) {
                // dockerd logs refused handshakes the same way: one line, the client and the reason
                if (!closing) log.println("cgroovy serve: TLS handshake with " + ch.peer() + " failed: " + reason(e));
                return;
            }
            InputStream in = new BufferedInputStream(ch.in(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(ch.out(), 16 * 1024);
            while (!closing) {
                Response res = new Response(out, in, commonHeaders);
                Request req;
                try {
                    req = Request.read(in);
                } catch (ApiError e) {
                    error(res, e.status(), e.getMessage());
                    return;                                  // the stream position is unknown now: close
                }
                if (req == null) return;
                if (req.method().equals("HEAD")) res.headOnly();
                try {
                    handler.handle(req, res);
                    res.finish();
                } catch (ApiError e) {
                    if (!res.committed()) error(res, e.status(), e.getMessage());
                    else return;
                } catch (IOException e) {
                    Thread.interrupted();                    // an interrupt from the client watcher is spent
                    return;                                  // the client went away mid-answer
                } catch (RuntimeException e) {
                    if (!res.committed()) error(res, 500, String.valueOf(e.getMessage()));
                    else return;
                }
                if (res.hijacked() || res.closesConnection() || req.wantsClose()) return;
                req.body().transferTo(OutputStream.nullOutputStream());    // an unread body must not become the next request
            }
        } catch (IOException | ApiError e) {
            // the client closed or reset the connection (maybe inside a body): nothing to answer
        } finally {
            open.remove(ch);
        }
    }

    private static void error(Response res, int status, String message) {
        try {
            res.json(status, Map.of("message", message));
        } catch (IOException ignored) {
            // client gone
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.net.SocketTimeoutException) m = "no handshake within " + TlsListener.HANDSHAKE_TIMEOUT_MS / 1000 + " s";
        else if (!(e instanceof SSLException)) m = "connection ended (" + m + ")";
        return m.lines().findFirst().orElse(m);
    }

    /** Stops accepting, closes every open connection. */
    @Override public void close() throws IOException {
        closing = true;
        server.close();
        for (Connection ch : open) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already closing
            }
        }
    }
}

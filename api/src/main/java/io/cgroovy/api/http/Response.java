package io.cgroovy.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answer to one request: a whole body, a chunked stream, or a hijacked raw connection. */
public final class Response {
    public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final OutputStream out;
    private final InputStream in;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean committed;
    private boolean hijacked;
    private ChunkedOutput stream;
    private boolean headOnly;
    /** A stream that ends the connection; its watcher interrupts the handler when the client goes. */
    private volatile boolean closeAfter, finished;

    Response(OutputStream out, InputStream in, Map<String, String> common) {
        this.out = out;
        this.in = in;
        headers.putAll(common);
    }

    public Response header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** A JSON body. */
    public void json(int status, Object value) throws IOException {
        byte[] body = JSON.writeValueAsBytes(value);
        whole(status, "application/json", body);
    }

    /** A status with no body. */
    public void empty(int status) throws IOException {
        whole(status, null, new byte[0]);
    }

    public void text(int status, String text) throws IOException {
        whole(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A body of unknown length, sent in chunks as it is flushed; close the stream to end it. */
    public OutputStream stream(int status, String contentType) throws IOException {
        head(status, contentType, Map.of("Transfer-Encoding", "chunked"));
        stream = new ChunkedOutput(out);
        return stream;
    }

    /**
     * As {@link #stream}, for a stream that may stay silent for long (logs --follow, stats, events): the
     * connection ends with it, and a watcher reading the connection interrupts the calling handler
     * thread as soon as the client closes, so a silent stream does not hold a thread and files open.
     */
    public OutputStream streamUntilClientGoes(int status, String contentType) throws IOException {
        head(status, contentType, Map.of("Transfer-Encoding", "chunked", "Connection", "close"));
        stream = new ChunkedOutput(out);
        closeAfter = true;
        Thread handler = Thread.currentThread();
        Thread w = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // a client sends nothing more on such a stream; whatever it sends is ignored
                }
            } catch (IOException e) {
                // reset, or closed by the server at the stream's end
            }
            if (!finished) handler.interrupt();
        }, "api-client-watch");
        w.setDaemon(true);
        w.start();
        return stream;
    }

    /**
     * Takes the raw connection (Docker's attach and exec start): answers 101 UPGRADED when the client
     * asked to upgrade, else 200; from then on both directions carry the stream, not HTTP.
     */
    public Hijacked hijack(boolean upgrade, String contentType) throws IOException {
        Map<String, String> extra = upgrade ? Map.of("Connection", "Upgrade", "Upgrade", "tcp") : Map.of();
        if (upgrade) {
            writeHead("HTTP/1.1 101 UPGRADED", contentType, extra);
        } else {
            head(200, contentType, extra);
        }
        hijacked = true;
        return new Hijacked(in, out);
    }

    /** The raw two-way stream of a hijacked connection. */
    public record Hijacked(InputStream in, OutputStream out) {}

    /** A HEAD request: headers as for GET, no body. */
    void headOnly() { headOnly = true; }

    boolean committed() { return committed; }

    boolean hijacked() { return hijacked; }

    boolean closesConnection() { return closeAfter; }

    /** Ends a stream the handler left open. */
    void finish() throws IOException {
        finished = true;
        if (stream != null) stream.close();
    }

    private void whole(int status, String contentType, byte[] body) throws IOException {
        head(status, contentType, Map.of("Content-Length", Integer.toString(body.length)));
        if (!headOnly) out.write(body);
        out.flush();
    }

    private void head(int status, String contentType, Map<String, String> extra) throws IOException {
        writeHead("HTTP/1.1 " + status + " " + Reasons.of(status), contentType, extra);
    }

    private void writeHead(String statusLine, String contentType, Map<String, String> extra) throws IOException {
        if (committed) throw new IllegalStateException("response already started");
        committed = true;
        StringBuilder sb = new StringBuilder(statusLine).append("\r\n");
        if (contentType != null) sb.append("Content-Type: ").append(contentType).append("\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        extra.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}

package io.cgroovy.dsl.client

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import groovy.transform.CompileStatic

import java.nio.charset.StandardCharsets

/**
 * HTTP/1.1 to a Docker Engine API server over a {@link Dialer}'s connections (unix socket, TCP, ssh).
 * Connections are kept alive: one whose answer was read to its end serves the next request, as the
 * docker CLI's do (through ssh each new one costs a process on both machines). Streams (logs,
 * attach, exec, pull progress) are read while they arrive; a hijacked one is never reused.
 */
@CompileStatic
final class DockerHttp implements Closeable {
    static final ObjectMapper JSON = new ObjectMapper()
    /** The API version asked for: served by Docker, Podman's compat API and cgroovy serve. */
    static final String VERSION = 'v1.41'

    /** unix:///path, tcp://host:port or ssh://[user@]host[:port][/path], as written. */
    final String address
    private final Dialer dialer
    private final IdleConnections idle = new IdleConnections()

    DockerHttp(String address) {
        this(address, Dialer.of(address))
    }

    /** Over connections {@code dialer} opens (TLS: {@link TlsDialer}). */
    DockerHttp(String address, Dialer dialer) {
        this.address = address
        this.dialer = dialer
    }

    /**
     * One response: status, lower-case headers, and the body stream. Closing it hands a connection
     * whose answer was read to its end back for the next request, and closes any other.
     */
    @CompileStatic
    static final class Response implements Closeable {
        final int status
        final Map<String, String> headers
        final InputStream body
        private final Connection connection
        private final InputStream input
        private final IdleConnections idle   // null: the connection ends with this response
        private boolean closed

        Response(int status, Map<String, String> headers, InputStream body, Connection connection, InputStream input,
                 IdleConnections idle) {
            this.status = status; this.headers = headers; this.body = body; this.connection = connection
            this.input = input; this.idle = idle
        }

        boolean ok() { status >= 200 && status < 300 || status == 101 }

        /** A hijacked stream's other direction (attach/exec stdin): written as it is, unbuffered. */
        OutputStream output() { connection.output() }

        /** Ends what {@link #output} sends (the server reads EOF: stdin ends) while the answer is still read. */
        void closeWrite() { connection.closeWrite() }

        String text() {
            try { new String(body.readAllBytes(), StandardCharsets.UTF_8) } finally { close() }
        }

        JsonNode json() {
            String t = text()
            t.isBlank() ? JSON.nullNode() : JSON.readTree(t)
        }

        /** The API's error message ({"message": ...}), else the body's first line. */
        String error() {
            String t = text().trim()
            try {
                JsonNode n = JSON.readTree(t)
                if (n?.has('message')) return n.get('message').asText()
            } catch (Exception ignored) {
                // not JSON: the text itself
            }
            t ? t.readLines()[0] : "HTTP ${status}".toString()
        }

        @Override void close() {
            if (closed) return
            closed = true
            if (idle != null && ended()) idle.offer(connection, input)
            else connection.close()
        }

        /** True when the body was read to its framed end (a short unread rest of known length is read now). */
        private boolean ended() {
            if (body instanceof Limited) return ((Limited) body).drain(65536)
            if (body instanceof Chunked) return ((Chunked) body).done
            body == EMPTY
        }
    }

    /**
     * Sends one request; {@code body}: a JSON value, a byte[] or an InputStream (sent as it is), or null.
     * {@code upgrade}: the connection is hijacked (attach, exec start) and ends with the response.
     */
    Response call(String method, String path, Object body = null, String contentType = 'application/json', boolean upgrade = false) {
        // a kept connection the server closed meanwhile fails before any answer: the request goes
        // again on a new one, when it can be sent again (not a stream) and nothing was answered
        boolean replayable = !(body instanceof InputStream)
        while (true) {
            IdleConnections.Idle kept = replayable ? idle.take() : null
            Connection conn
            InputStream input
            if (kept != null) {
                conn = kept.connection
                input = kept.input
            } else {
                try {
                    conn = dialer.dial()
                } catch (IOException e) {
                    throw new EngineException("cannot connect to ${address}: ${e.message ?: e.class.simpleName}")
                }
                input = new BufferedInputStream(conn.input(), 65536)
            }
            boolean answered = false
            try {
                send(conn, method, path, body, contentType, upgrade)
                String statusLine = line(input)
                if (statusLine == null && kept != null) { conn.close(); continue }
                answered = true
                if (statusLine == null || !statusLine.startsWith('HTTP/1.')) throw new EngineException("${address}: not an HTTP answer to ${method} ${path}")
                int status = Integer.parseInt(statusLine.substring(9, 12))
                Map<String, String> headers = [:]
                String l
                while ((l = line(input)) != null && !l.isEmpty()) {
                    int c = l.indexOf(':')
                    if (c > 0) headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim())
                }
                InputStream bodyIn = input
                if (status == 204 || status == 304) bodyIn = EMPTY
                else if ('chunked'.equalsIgnoreCase(headers['transfer-encoding'])) bodyIn = new Chunked(input)
                else if (headers['content-length'] != null && status != 101) bodyIn = new Limited(input, Long.parseLong(headers['content-length']))
                boolean keep = !upgrade && status != 101 && bodyIn != input && !headers['connection']?.toLowerCase(Locale.ROOT)?.contains('close')
                return new Response(status, headers, bodyIn, conn, input, keep ? idle : null)
            } catch (EngineException e) {
                conn.close()
                throw e
            } catch (DialException e) {
                conn.close()
                throw new EngineException("cannot connect to ${address}: ${e.message}")
            } catch (IOException e) {
                conn.close()
                if (kept != null && !answered && !Thread.currentThread().isInterrupted()) continue
                throw new EngineException("${address}: ${method} ${path}: ${e.message ?: e.class.simpleName}")
            }
        }
    }

    private static void send(Connection conn, String method, String path, Object body, String contentType, boolean upgrade) {
        OutputStream out = new BufferedOutputStream(conn.output(), 65536)
        StringBuilder head = new StringBuilder("${method} /${VERSION}${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: cgroovy\r\n")
        if (upgrade) head.append('Connection: Upgrade\r\nUpgrade: tcp\r\n')
        if (body instanceof InputStream) {
            head.append("Content-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n")
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1))
            byte[] buf = new byte[65536]
            int n
            InputStream input = (InputStream) body
            while ((n = input.read(buf)) > 0) {
                out.write("${Integer.toHexString(n)}\r\n".toString().getBytes(StandardCharsets.ISO_8859_1))
                out.write(buf, 0, n)
                out.write('\r\n'.getBytes(StandardCharsets.ISO_8859_1))
            }
            out.write('0\r\n\r\n'.getBytes(StandardCharsets.ISO_8859_1))
        } else {
            byte[] bytes = body == null ? new byte[0] : body instanceof byte[] ? (byte[]) body : JSON.writeValueAsBytes(body)
            if (body != null) head.append("Content-Type: ${contentType}\r\n")
            head.append("Content-Length: ${bytes.length}\r\n\r\n")
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1))
            out.write(bytes)
        }
        out.flush()
    }

    /** Closes the connections kept for later requests. */
    @Override void close() { idle.close() }

    /** A request whose answer must be 2xx: its JSON (null node when empty); else the API's message as an error. */
    JsonNode json(String method, String path, Object body = null) {
        Response r = call(method, path, body)
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        r.json()
    }

    private static final InputStream EMPTY = InputStream.nullInputStream()

    static String enc(String s) { URLEncoder.encode(s, StandardCharsets.UTF_8) }

    static String line(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream()
        int c
        while ((c = in.read()) >= 0) {
            if (c == '\n'.charAt(0) as int) break
            b.write(c)
        }
        if (c < 0 && b.size() == 0) return null
        String s = b.toString(StandardCharsets.ISO_8859_1)
        s.endsWith('\r') ? s.substring(0, s.length() - 1) : s
    }

    /**
     * Copies a Docker multiplexed stream (8-byte headers: stream 1 stdout, 2 stderr, then a
     * big-endian length) to {@code out} and {@code err}; a TTY stream is raw and goes to {@code out}.
     */
    static void demux(InputStream in, boolean raw, OutputStream out, OutputStream err) {
        byte[] buf = new byte[65536]
        if (raw) {
            int n
            while ((n = in.read(buf)) > 0) { out.write(buf, 0, n); out.flush() }
            return
        }
        byte[] head = new byte[8]
        while (readFully(in, head)) {
            int size = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff)
            OutputStream to = head[0] == (byte) 2 ? err : out
            while (size > 0) {
                int n = in.read(buf, 0, Math.min(buf.length, size))
                if (n < 0) return
                to.write(buf, 0, n)
                size -= n
            }
            to.flush()
        }
    }

    private static boolean readFully(InputStream in, byte[] b) {
        int off = 0
        while (off < b.length) {
            int n = in.read(b, off, b.length - off)
            if (n < 0) return false
            off += n
        }
        true
    }

    /** A chunked body, ended by its last chunk. */
    @CompileStatic
    private static final class Chunked extends InputStream {
        private final InputStream in
        private long left
        private boolean eof
        /** The last chunk and its trailer were read: the connection is at the next answer. */
        boolean done

        Chunked(InputStream in) { this.in = in }

        @Override int read() {
            byte[] b = new byte[1]
            int n = read(b, 0, 1)
            n < 0 ? -1 : (b[0] & 0xff)
        }

        @Override int read(byte[] b, int off, int len) {
            if (eof) return -1
            if (left == 0) {
                String size = line(in)
                if (size != null && size.isEmpty()) size = line(in)   // the CRLF after the previous chunk
                if (size == null) { eof = true; return -1 }
                int semi = size.indexOf(';')
                left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16)
                if (left == 0) {
                    eof = true
                    String trailer
                    while ((trailer = line(in)) != null && !trailer.isEmpty()) { /* trailer fields: none used */ }
                    done = trailer != null
                    return -1
                }
            }
            int n = in.read(b, off, (int) Math.min((long) len, left))
            if (n < 0) { eof = true; return -1 }
            left -= n
            n
        }
    }

    /** A body of Content-Length bytes. */
    @CompileStatic
    private static final class Limited extends InputStream {
        private final InputStream in
        private long left

        Limited(InputStream in, long left) { this.in = in; this.left = left }

        /** Reads an unread rest of at most {@code max} bytes; true when the body is then at its end. */
        boolean drain(long max) {
            if (left > max) return false
            try {
                byte[] buf = new byte[(int) Math.min(8192L, Math.max(1L, left))]
                while (left > 0 && read(buf, 0, (int) Math.min((long) buf.length, left)) >= 0) { /* discarded */ }
            } catch (IOException ignored) {
                return false
            }
            left == 0
        }

        @Override int read() {
            if (left <= 0) return -1
            int c = in.read()
            if (c >= 0) left--
            c
        }

        @Override int read(byte[] b, int off, int len) {
            if (left <= 0) return -1
            int n = in.read(b, off, (int) Math.min((long) len, left))
            if (n > 0) left -= n
            n
        }
    }
}

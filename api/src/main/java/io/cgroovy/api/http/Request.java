package io.cgroovy.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One parsed HTTP/1.1 request: method, path (API version prefix removed), query, headers, body. */
public final class Request {
    static final int MAX_HEADERS = 100;

    private final String method;
    private final String path;
    private final String apiVersion;
    private final Map<String, List<String>> query;
    private final Map<String, String> headers;
    private final InputStream body;
    private Map<String, String> params = Map.of();

    private Request(String method, String path, String apiVersion, Map<String, List<String>> query,
                    Map<String, String> headers, InputStream body) {
        this.method = method;
        this.path = path;
        this.apiVersion = apiVersion;
        this.query = query;
        this.headers = headers;
        this.body = body;
    }

    /** Reads the next request's head from {@code in}; null when the client closed the connection between requests. */
    static Request read(InputStream in) throws IOException {
        String line = Lines.read(in);
        while (line != null && line.isEmpty()) line = Lines.read(in);   // tolerate stray CRLFs between requests
        if (line == null) return null;
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) throw ApiError.badRequest("malformed request line: " + line);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; ; i++) {
            String h = Lines.read(in);
            if (h == null) throw ApiError.badRequest("connection closed inside the request head");
            if (h.isEmpty()) break;
            if (i == MAX_HEADERS) throw new ApiError(431, "more than " + MAX_HEADERS + " header lines");
            int colon = h.indexOf(':');
            if (colon <= 0) throw ApiError.badRequest("malformed header line: " + h);
            headers.merge(h.substring(0, colon).trim(), h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        String target = parts[1];
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        Map<String, List<String>> query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        String path = decode(rawPath);
        String version = null;
        // Docker clients prefix paths with the API version they speak: /v1.41/containers/json
        if (path.matches("/v[0-9]+\\.[0-9]+/.*")) {
            int slash = path.indexOf('/', 1);
            version = path.substring(2, slash);
            path = path.substring(slash);
        }
        return new Request(parts[0].toUpperCase(Locale.ROOT), path, version, query, headers, bodyOf(headers, in));
    }

    private static InputStream bodyOf(Map<String, String> headers, InputStream in) {
        String te = headers.get("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) return new ChunkedInput(in);
        String cl = headers.get("Content-Length");
        long length = 0;
        if (cl != null) {
            try {
                length = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("bad Content-Length '" + cl + "'");
            }
            if (length < 0) throw ApiError.badRequest("bad Content-Length '" + cl + "'");
        }
        return new LimitedInput(in, length);
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            // in a query '+' is a space (Go's url.Values, which the docker CLI uses, encodes a space so; a '+' as %2B)
            String k = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1).replace('+', ' '));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad percent-encoding in '" + s + "'");
        }
    }

    public String method() { return method; }

    /** The path without the {@code /vX.Y} prefix. */
    public String path() { return path; }

    /** The API version the client asked for in the path, or null. */
    public String apiVersion() { return apiVersion; }

    public String header(String name) { return headers.get(name); }

    public InputStream body() { return body; }

    /** A query parameter's last value, or {@code dflt}. */
    public String query(String name, String dflt) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? dflt : v.get(v.size() - 1);
    }

    /** Every value of a repeated query parameter ({@code names=a&names=b}). */
    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** Docker's booleans: 1, true, True; absent = {@code dflt}. */
    public boolean flag(String name, boolean dflt) {
        String v = query(name, null);
        if (v == null) return dflt;
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    /** A path parameter captured by the route, e.g. {@code {name}}. */
    public String param(String name) { return params.get(name); }

    void params(Map<String, String> p) { this.params = p; }

    boolean wantsClose() {
        String c = headers.get("Connection");
        return c != null && c.toLowerCase(Locale.ROOT).contains("close");
    }
}

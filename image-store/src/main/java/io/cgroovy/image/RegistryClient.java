package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One registry host spoken to over the Distribution API v2 (the OCI distribution spec): the
 * version check, authentication (anonymous or credentialed bearer tokens from the realm the
 * registry's {@code WWW-Authenticate} names, or basic auth), redirects (credentials never follow
 * a redirect to another host), and bounded retries with growing pauses for connection failures,
 * 5xx and 429 answers.
 */
final class RegistryClient {
    static final String API_VERSION = "Docker-Distribution-API-Version";
    private static final int MAX_REDIRECTS = 5;

    private final String host;          // as in the reference: "docker.io", "127.0.0.1:5000"
    private final String endpointHost;  // what is dialled: registry-1.docker.io for docker.io
    private final RegistryOptions options;
    private final HttpClient http;
    private final DockerConfig.Credentials credentials;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private volatile URI base;
    private volatile AuthChallenge challenge;

    RegistryClient(String host, RegistryOptions options) {
        this(host, options, new DockerConfig(options.dockerConfigDir()).lookup(host));
    }

    RegistryClient(String host, RegistryOptions options, DockerConfig.Credentials credentials) {
        this.host = host;
        this.endpointHost = DockerConfig.isHub(host) ? "registry-1.docker.io" : host;
        this.options = options;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // plain-HTTP registries do not speak h2c; HTTP/1.1 everywhere keeps one code path
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NEVER) // followed here, so Authorization is dropped when the host changes
                .build();
    }

    String host() {
        return host;
    }

    /** True for localhost, 127.0.0.0/8 and ::1: plain HTTP is allowed there, as Docker allows it. */
    static boolean isLoopback(String hostPort) {
        String h = hostPort;
        if (h.startsWith("[")) h = h.substring(1, h.indexOf(']'));
        else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) h = h.substring(0, h.indexOf(':'));
        if (h.equals("localhost")) return true;
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) return false; // never resolve names just to decide this
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private boolean mayUsePlainHttp() {
        return isLoopback(host) || options.insecureHosts().contains(host);
    }

    /**
     * The version check, {@code GET /v2/}: finds the scheme (HTTPS; plain HTTP only where allowed)
     * and remembers the auth challenge. Any answer but 200 or 401 means this is no v2 registry.
     */
    void ping() {
        if (base != null) return;
        URI https = URI.create("https://" + endpointHost + "/v2/");
        HttpResponse<String> r;
        try {
            r = sendOnce(HttpRequest.newBuilder(https).timeout(Duration.ofSeconds(30)).GET(), HttpResponse.BodyHandlers.ofString());
            base = URI.create("https://" + endpointHost);
        } catch (IOException e) {
            boolean tlsProblem = e instanceof javax.net.ssl.SSLException;
            if (!mayUsePlainHttp()) {
                throw new ImageException(host + ": cannot reach the registry over HTTPS: " + describe(e)
                        + (tlsProblem ? " (a plain-HTTP registry must be marked insecure)" : ""));
            }
            URI plain = URI.create("http://" + endpointHost + "/v2/");
            try {
                r = sendOnce(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(30)).GET(), HttpResponse.BodyHandlers.ofString());
                base = URI.create("http://" + endpointHost);
            } catch (IOException e2) {
                throw new ImageException(host + ": cannot reach the registry: " + describe(e2));
            }
        }
        int s = r.statusCode();
        if (s == 401) {
            challenge = AuthChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
        } else if (s != 200) {
            throw new ImageException(host + ": not a v2 registry (GET /v2/ answered " + s + ")");
        }
        Optional<String> v = r.headers().firstValue(API_VERSION);
        if (v.isPresent() && !v.get().contains("registry/2.0")) {
            throw new ImageException(host + ": unsupported registry API version " + v.get());
        }
    }

    /** Checks the credentials: a token for the registry (bearer) or an authenticated GET /v2/ (basic). */
    void login() {
        ping();
        if (challenge == null) return; // the registry asks for nothing: any credentials "work", as with docker login
        if (credentials == null) throw new ImageException(host + ": login needs a user name and password");
        if (challenge.isBearer()) {
            token(List.of());
            return;
        }
        HttpResponse<String> r = send("GET", "/v2/", Map.of(), null, HttpResponse.BodyHandlers.ofString(), List.of(), true);
        if (r.statusCode() == 401) throw new ImageException("login to " + host + " failed: unauthorized (wrong user name or password for " + credentials.user() + ")");
        if (r.statusCode() != 200) throw new ImageException("login to " + host + " failed: " + r.statusCode() + " " + errorText(r.body()));
    }

    URI uri(String path) {
        ping();
        return base.resolve(path);
    }

    /**
     * Sends a request, authenticating as the registry asks, following redirects, retrying what
     * may be retried. {@code body} makes a fresh publisher per attempt (null: no body).
     */
    <T> HttpResponse<T> send(String method, String pathOrUri, Map<String, String> headers, Supplier<HttpRequest.BodyPublisher> body,
                             HttpResponse.BodyHandler<T> handler, List<String> scopes, boolean retryable) {
        ping();
        URI uri = pathOrUri.startsWith("http://") || pathOrUri.startsWith("https://") ? URI.create(pathOrUri) : base.resolve(pathOrUri);
        boolean reauthed = false;
        int redirects = 0;
        for (int attempt = 0; ; ) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get());
            headers.forEach(b::header);
            boolean sameHost = uri.getAuthority().equals(base.getAuthority());
            if (sameHost) {
                String auth = authorization(scopes);
                if (auth != null) b.header("Authorization", auth);
            }
            HttpResponse<T> r;
            try {
                r = sendOnce(b, handler);
            } catch (IOException e) {
                if (!retryable || attempt >= options.retries()) {
                    throw new ImageException(host + ": " + method + " " + uri.getPath() + " failed: " + describe(e)
                            + (attempt > 0 ? " (after " + (attempt + 1) + " attempts)" : ""));
                }
                pause(++attempt, null);
                continue;
            }
            int s = r.statusCode();
            if (s == 401 && sameHost && !reauthed) {
                reauthed = true;
                AuthChallenge c = AuthChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
                if (c != null) {
                    discard(r);
                    challenge = c;
                    tokens.clear();
                    continue;
                }
            }
            if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && r.headers().firstValue("Location").isPresent()) {
                if (++redirects > MAX_REDIRECTS) throw new ImageException(host + ": too many redirects for " + uri.getPath());
                discard(r);
                uri = uri.resolve(r.headers().firstValue("Location").get());
                if (s == 303) method = "GET";
                continue;
            }
            if ((s >= 500 || s == 429) && retryable && attempt < options.retries()) {
                discard(r);
                pause(++attempt, r.headers().firstValue("Retry-After").orElse(null));
                continue;
            }
            return r;
        }
    }

    private <T> HttpResponse<T> sendOnce(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) throws IOException {
        b.header("User-Agent", "cgroovy/0.1");
        try {
            return http.send(b.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        }
    }

    /** Growing pauses: 0.2 s, 0.4 s, 0.8 s ... at most 5 s; a Retry-After in seconds wins (at most 30 s). */
    void pause(int attempt, String retryAfter) {
        long ms = Math.min(5000, 200L << Math.min(attempt - 1, 10));
        if (retryAfter != null && retryAfter.matches("\\d{1,3}")) ms = Math.min(30_000, Long.parseLong(retryAfter) * 1000);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        }
    }

    private static void discard(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the connection is not reused then
            }
        }
    }

    /** The Authorization header for these scopes, fetching a token when the registry wants one. */
    private String authorization(List<String> scopes) {
        AuthChallenge c = challenge;
        if (c == null) return null;
        if (c.isBasic()) {
            if (credentials == null) return null; // the 401 that follows becomes "authentication required"
            return basic(credentials);
        }
        if (c.isBearer()) return "Bearer " + token(scopes);
        throw new ImageException(host + ": unsupported authentication scheme '" + c.scheme() + "'");
    }

    private static String basic(DockerConfig.Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A bearer token from the realm: {@code GET realm?service=...&scope=...}, with basic
     * credentials when we have them (anonymous otherwise). Cached per set of scopes.
     */
    private String token(List<String> scopes) {
        String key = String.join(" ", scopes);
        String t = tokens.get(key);
        if (t != null) return t;
        AuthChallenge c = challenge;
        String realm = c.param("realm");
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new ImageException(host + ": the registry's token realm is missing or not a URL: " + realm);
        }
        URI realmUri = URI.create(realm);
        if (realmUri.getScheme().equals("http") && !isLoopback(realmUri.getAuthority()) && !options.insecureHosts().contains(host)) {
            throw new ImageException(host + ": refusing to send credentials to a plain-HTTP token realm " + realm);
        }
        StringBuilder q = new StringBuilder();
        if (c.param("service") != null) q.append("service=").append(enc(c.param("service")));
        for (String s : scopes) q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(s));
        URI u = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        HttpResponse<String> r = null;
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(60)).GET();
            if (credentials != null) b.header("Authorization", basic(credentials));
            try {
                r = sendOnce(b, HttpResponse.BodyHandlers.ofString());
                if ((r.statusCode() >= 500 || r.statusCode() == 429) && attempt < options.retries()) {
                    pause(attempt + 1, null);
                    continue;
                }
                break;
            } catch (IOException e) {
                if (attempt >= options.retries()) throw new ImageException(host + ": cannot get a token from " + realm + ": " + describe(e));
                pause(attempt + 1, null);
            }
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new ImageException(credentials != null
                    ? "login to " + host + " failed: unauthorized (wrong user name or password for " + credentials.user() + ")"
                    : host + ": authentication required (no credentials for " + host + "; use login)");
        }
        if (r.statusCode() != 200) throw new ImageException(host + ": token server " + realm + " answered " + r.statusCode());
        try {
            var node = Json.MAPPER.readTree(r.body());
            var tok = node.hasNonNull("token") ? node.get("token") : node.get("access_token");
            if (tok == null || tok.asText().isEmpty()) throw new ImageException(host + ": token server " + realm + " sent no token");
            t = tok.asText();
        } catch (IOException e) {
            throw new ImageException(host + ": token server " + realm + " sent invalid JSON");
        }
        tokens.put(key, t);
        return t;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String pullScope(String repo) {
        return "repository:" + repo + ":pull";
    }

    static String pushScope(String repo) {
        return "repository:" + repo + ":pull,push";
    }

    /** One line for a failed answer: the registry's error code and message when it sent them. */
    String failure(String what, int status, String body) {
        if (status == 401) {
            return what + ": unauthorized: " + (credentials == null
                    ? "authentication required (no credentials for " + host + "; use login)"
                    : "the registry refused the credentials of " + credentials.user());
        }
        if (status == 403) return what + ": denied: " + errorText(body);
        if (status == 404) return what + ": not found" + (body == null || body.isBlank() ? "" : ": " + errorText(body));
        return what + ": registry answered " + status + (body == null || body.isBlank() ? "" : ": " + errorText(body));
    }

    /** {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]} → "manifest unknown". */
    static String errorText(String body) {
        if (body == null) return "";
        try {
            var node = Json.MAPPER.readTree(body);
            var errs = node == null ? null : node.get("errors");
            if (errs != null && errs.isArray() && !errs.isEmpty()) {
                var e = errs.get(0);
                String m = e.hasNonNull("message") ? e.get("message").asText() : "";
                String code = e.hasNonNull("code") ? e.get("code").asText().toLowerCase(Locale.ROOT).replace('_', ' ') : "";
                return m.isEmpty() ? code : m;
            }
        } catch (IOException ignored) {
            // not JSON: show its first line
        }
        String line = Json.firstLine(body).strip();
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String name = e.getClass().getSimpleName();
        for (Throwable c = e; c != null; c = c.getCause()) { // the HTTP client reports a failed lookup as a ConnectException
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "cannot resolve the host name";
            }
        }
        if (e instanceof java.net.ConnectException) return "connection refused";
        if (e instanceof java.net.http.HttpTimeoutException) return "timed out";
        return m == null || m.isBlank() ? name : name + " " + Json.firstLine(m);
    }

    /** Ordered headers for building requests (small, readable call sites). */
    static Map<String, String> headers(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}

package io.cgroovy.api;

import io.cgroovy.runtime.tls.TlsFileException;
import io.cgroovy.runtime.tls.TlsFiles;

import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * dockerd's TLS options for TCP: {@code --tls} (the server's own CERT and KEY) or {@code --tlsverify}
 * (also: clients must present a certificate signed by CA). Files default, as dockerd's, to ca.pem,
 * cert.pem and key.pem in DOCKER_CERT_PATH or ~/.docker.
 */
public record ServeTls(boolean verify, Path ca, Path cert, Path key) {
    /** From the flags given (null when not given) and the environment. */
    static ServeTls of(boolean verify, String ca, String cert, String key, Map<String, String> env) {
        String dir = env.getOrDefault("DOCKER_CERT_PATH", "");
        Path base = dir.isEmpty() ? Path.of(System.getProperty("user.home"), ".docker") : Path.of(dir);
        return new ServeTls(verify, ca != null ? Path.of(ca) : base.resolve("ca.pem"),
                cert != null ? Path.of(cert) : base.resolve("cert.pem"), key != null ? Path.of(key) : base.resolve("key.pem"));
    }

    /** The server's context: its certificate and key; with verify, trusting only CA for clients. */
    SSLContext context() {
        try {
            return TlsFiles.context(verify ? ca : null, cert, key);
        } catch (TlsFileException e) {
            throw new ServeException("cgroovy serve: " + e.getMessage());
        }
    }

    /** How the start line describes it. */
    String describe() {
        return verify ? "TLS, clients need a certificate signed by " + ca : "TLS, clients not verified";
    }
}

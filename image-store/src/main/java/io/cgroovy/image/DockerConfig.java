package io.cgroovy.image;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * Registry credentials in Docker's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else
 * {@code ~/.docker/config.json}): the {@code auths} map of base64 "user:password", keyed by host
 * ("https://index.docker.io/v1/" for Docker Hub). Other keys of the file are kept as they are.
 */
final class DockerConfig {
    static final String HUB_KEY = "https://index.docker.io/v1/";

    private final Path file;

    DockerConfig(Path dir) {
        this.file = dir.resolve("config.json");
    }

    /** The directory Docker itself would use. */
    static Path defaultDir() {
        String env = System.getenv("DOCKER_CONFIG");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".docker");
    }

    Path file() {
        return file;
    }

    /** user and password for a registry host, or null when config.json has none. */
    Credentials lookup(String host) {
        ObjectNode root = read();
        if (root == null || !(root.get("auths") instanceof ObjectNode auths)) return null;
        for (String key : keysFor(host)) {
            var entry = auths.get(key);
            if (entry == null) continue;
            var auth = entry.get("auth");
            if (auth != null && !auth.asText().isEmpty()) {
                String plain;
                try {
                    plain = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ImageException(file + ": auths." + key + ".auth is not base64");
                }
                int colon = plain.indexOf(':');
                if (colon < 0) throw new ImageException(file + ": auths." + key + ".auth is not user:password");
                return new Credentials(plain.substring(0, colon), plain.substring(colon + 1));
            }
            var user = entry.get("username");
            var pass = entry.get("password");
            if (user != null && pass != null) return new Credentials(user.asText(), pass.asText());
        }
        return null;
    }

    /** Writes (replacing) the credentials of a host, the way {@code docker login} does; the file is 0600. */
    void store(String host, Credentials c) {
        ObjectNode root = read();
        if (root == null) root = Json.MAPPER.createObjectNode();
        ObjectNode auths = root.get("auths") instanceof ObjectNode a ? a : root.putObject("auths");
        for (String key : keysFor(host)) auths.remove(key);
        String auth = Base64.getEncoder().encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        auths.putObject(keyFor(host)).put("auth", auth);
        try {
            Files.createDirectories(file.getParent());
            byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            Path tmp = AtomicFiles.tempSibling(file);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, bytes);
            AtomicFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            throw new ImageException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode read() {
        if (!Files.isRegularFile(file)) return null;
        try {
            var node = Json.MAPPER.readTree(Files.readAllBytes(file));
            if (node == null || node.isMissingNode()) return null;
            if (!(node instanceof ObjectNode o)) throw new ImageException(file + ": not a JSON object");
            return o;
        } catch (IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                throw new ImageException(file + ": not valid JSON (" + Json.firstLine(e.getMessage()) + ")");
            }
            throw new UncheckedIOException("read " + file, e);
        }
    }

    /** The key Docker writes for a host. */
    static String keyFor(String host) {
        return isHub(host) ? HUB_KEY : host;
    }

    /** The keys Docker accepts when reading: bare host, with scheme, Hub's legacy URL. */
    private static java.util.List<String> keysFor(String host) {
        if (isHub(host)) return java.util.List.of(HUB_KEY, "index.docker.io", "docker.io", "registry-1.docker.io");
        return java.util.List.of(host, "https://" + host, "http://" + host, "https://" + host + "/v2/", "http://" + host + "/v2/");
    }

    static boolean isHub(String host) {
        return host.equals("docker.io") || host.equals("index.docker.io") || host.equals("registry-1.docker.io");
    }

    record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", ***]"; // never print the password
        }
    }
}

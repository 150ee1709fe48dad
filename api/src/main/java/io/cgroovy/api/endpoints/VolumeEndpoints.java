package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /volumes}: create, list, inspect, remove over the engine's local volumes ({@code <root>/volumes/<name>/_data}). */
public final class VolumeEndpoints {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Engine engine;

    public VolumeEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("GET", "/volumes", this::list);
        r.on("POST", "/volumes/create", this::create);
        r.on("GET", "/volumes/{name}", (req, res) -> res.json(200, view(existing(req.param("name")))));
        r.on("DELETE", "/volumes/{name}", (req, res) -> {
            Failures.run(() -> engine.volumes().remove(existing(req.param("name"))));
            res.empty(204);
        });
    }

    private void list(Request req, Response res) throws IOException {
        Filters.Terms f = Filters.terms(req.query("filters", null), List.of("name"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String n : engine.volumes().list()) {
            if (f.any("name", v -> n.contains(v))) out.add(view(n));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Volumes", out);
        m.put("Warnings", List.of());
        res.json(200, m);
    }

    private void create(Request req, Response res) throws IOException {
        JsonNode body = Response.JSON.readTree(req.body());
        if (body == null || !body.isObject()) throw ApiError.badRequest("volume create: the body must be a JSON object");
        String driver = CreateRequest.text(body, "Driver");
        if (driver != null && !driver.isEmpty() && !driver.equals("local")) {
            throw ApiError.badRequest("volume create: driver '" + driver + "' is not supported by cgroovy serve (local is)");
        }
        if (body.path("DriverOpts").size() > 0) throw ApiError.badRequest("volume create: DriverOpts (-o) are not supported by cgroovy serve");
        if (body.path("Labels").size() > 0) throw ApiError.badRequest("volume create: Labels are not supported by cgroovy serve yet");
        String name = CreateRequest.text(body, "Name");
        // no name: an anonymous volume named by 64 hex digits, as Docker does
        String n = name == null || name.isEmpty() ? HexFormat.of().formatHex(random32()) : name;
        Failures.run(() -> engine.volumes().create(n));
        res.json(201, view(n));
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private String existing(String name) {
        Failures.run(() -> engine.volumes().path(name)); // "no such volume" / "invalid volume name"
        return name;
    }

    private Map<String, Object> view(String name) {
        Path data = engine.volumes().path(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", name);
        m.put("Driver", "local");
        m.put("Mountpoint", data.toString());
        try {
            m.put("CreatedAt", Files.readAttributes(data.getParent(), BasicFileAttributes.class).creationTime().toInstant().toString());
        } catch (IOException e) {
            m.put("CreatedAt", "");
        }
        m.put("Labels", Map.of());
        m.put("Scope", "local");
        m.put("Options", Map.of());
        return m;
    }
}

package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.image.ImageConfig;
import io.cgroovy.image.ImageException;
import io.cgroovy.image.ImageRecord;
import io.cgroovy.image.ImageStore;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /images/...}: list, inspect, tag, remove and load, over the engine's image store. */
public final class ImageEndpoints {
    private final Engine engine;
    private final Events events;

    public ImageEndpoints(Engine engine, Events events) {
        this.engine = engine;
        this.events = events;
    }

    public void register(Router r) {
        r.on("GET", "/images/json", (req, res) -> res.json(200, list()));
        r.on("POST", "/images/load", this::load);
        r.on("GET", "/images/{name*}/json", (req, res) -> res.json(200, inspect(req.param("name"))));
        r.on("POST", "/images/{name*}/tag", this::tag);
        r.on("DELETE", "/images/{name*}", (req, res) -> res.json(200, remove(req.param("name"))));
    }

    private ImageStore store() {
        return engine.images();
    }

    private List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageRecord rec : store().list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", rec.id());
            m.put("ParentId", "");
            m.put("RepoTags", rec.tags());
            m.put("RepoDigests", repoDigests(rec));
            m.put("Created", rec.created() == null ? 0 : rec.created().getEpochSecond());
            m.put("Size", rec.size());
            m.put("SharedSize", -1);
            m.put("VirtualSize", rec.size());
            m.put("Labels", Map.of());
            m.put("Containers", -1);
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> inspect(String name) {
        ImageRecord rec = find(name);
        ImageConfig config = store().config(rec.id());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", rec.id());
        m.put("RepoTags", rec.tags());
        m.put("RepoDigests", repoDigests(rec));
        m.put("Parent", "");
        m.put("Comment", "");
        m.put("Created", config.created == null ? "0001-01-01T00:00:00Z" : config.created);
        m.put("Container", "");
        m.put("DockerVersion", "");
        m.put("Author", "");
        m.put("Config", config.config);
        m.put("Architecture", config.architecture);
        m.put("Os", config.os);
        m.put("Size", rec.size());
        m.put("VirtualSize", rec.size());
        m.put("GraphDriver", Map.of("Name", "overlay", "Data", Map.of()));
        m.put("RootFS", Map.of("Type", "layers", "Layers", config.rootfs.diffIds));
        m.put("Metadata", Map.of("LastTagTime", "0001-01-01T00:00:00Z"));
        return m;
    }

    private void tag(Request req, Response res) throws IOException {
        String repo = req.query("repo", "");
        if (repo.isEmpty()) throw ApiError.badRequest("tag: the repo parameter is missing");
        String tag = req.query("tag", "");
        String source = req.param("name");
        find(source);
        try {
            store().tag(source, tag.isEmpty() ? repo : repo + ":" + tag);
        } catch (ImageException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        String target = tag.isEmpty() ? repo : repo + ":" + tag;
        // the CLI sends the full name (docker.io/library/x); Docker's event names it as users wrote it
        String familiar = target.replaceFirst("^docker\\.io/library/", "").replaceFirst("^docker\\.io/", "");
        events.emit("image", "tag", find(target).id(), Map.of("name", familiar));
        res.empty(201);
    }

    private List<Map<String, String>> remove(String name) {
        ImageRecord before = find(name);
        try {
            store().remove(name);
        } catch (ImageException e) {
            throw ApiError.conflict(e.getMessage());
        }
        List<Map<String, String>> out = new ArrayList<>();
        ImageRecord after = null;
        try {
            after = store().inspect(before.id());
        } catch (ImageException gone) {
            // the image itself went
        }
        List<String> left = after == null ? List.of() : after.tags();
        for (String t : before.tags()) {
            if (left.contains(t)) continue;
            out.add(Map.of("Untagged", t));
            events.emit("image", "untag", before.id(), Map.of("name", t));
        }
        if (after == null) {
            out.add(Map.of("Deleted", before.id()));
            events.emit("image", "delete", before.id(), Map.of("name", name));
        }
        return out;
    }

    /** The body is a tar (docker save or OCI layout); answers Docker's JSON message stream. */
    private void load(Request req, Response res) throws IOException {
        Path tmp = Files.createTempFile(Files.createDirectories(engine.root().resolve("tmp")), "load-", ".tar");
        try {
            try (OutputStream f = Files.newOutputStream(tmp)) {
                req.body().transferTo(f);
            }
            List<ImageRecord> loaded;
            try {
                loaded = store().load(tmp);
            } catch (ImageException e) {
                throw ApiError.badRequest(e.getMessage());
            }
            StringBuilder text = new StringBuilder();
            for (ImageRecord rec : loaded) {
                if (rec.tags().isEmpty()) text.append("Loaded image ID: ").append(rec.id()).append('\n');
                for (String t : rec.tags()) text.append("Loaded image: ").append(t).append('\n');
            }
            byte[] line = Response.JSON.writeValueAsBytes(Map.of("stream", text.toString()));
            try (OutputStream out = res.stream(200, "application/json")) {
                out.write(line);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private ImageRecord find(String name) {
        try {
            return store().inspect(name);
        } catch (ImageException e) {
            throw ApiError.notFound(e.getMessage());
        }
    }

    private static List<String> repoDigests(ImageRecord rec) {
        List<String> out = new ArrayList<>();
        if (rec.manifestDigest() == null) return out;
        for (String t : rec.tags()) {
            int colon = t.lastIndexOf(':');
            String repo = colon > t.lastIndexOf('/') ? t.substring(0, colon) : t;
            String d = repo + "@" + rec.manifestDigest();
            if (!out.contains(d)) out.add(d);
        }
        return out;
    }
}

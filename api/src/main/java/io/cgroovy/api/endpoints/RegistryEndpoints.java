package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.image.ImageException;
import io.cgroovy.image.ImageRecord;
import io.cgroovy.image.RegistryOptions;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Images that cross the engine's edge: pull ({@code /images/create}), push, and save ({@code /images/get}). */
public final class RegistryEndpoints {
    private final Engine engine;

    private final Events events;

    public RegistryEndpoints(Engine engine, Events events) {
        this.events = events;
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("POST", "/images/create", this::pull);
        r.on("POST", "/images/{name*}/push", this::push);
        r.on("GET", "/images/get", (req, res) -> save(req.queryAll("names"), res));
        r.on("GET", "/images/{name*}/get", (req, res) -> save(List.of(req.param("name")), res));
    }

    private void pull(Request req, Response res) throws IOException {
        if (req.query("fromSrc", null) != null) throw ApiError.badRequest("images/create: importing a rootfs tarball (fromSrc) is not supported by cgroovy serve");
        String from = req.query("fromImage", "");
        if (from.isEmpty()) throw ApiError.badRequest("images/create: fromImage is missing");
        String tag = req.query("tag", "");
        String ref = tag.isEmpty() ? from : tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        String platform = req.query("platform", "");
        boolean had = present(ref);
        try (OutputStream body = res.stream(200, "application/json")) {
            ProgressStream progress = new ProgressStream(body, false);
            progress.status("Pulling from " + from, tag.isEmpty() ? "latest" : tag);
            RegistryOptions options = RegistryOptions.defaults().listener(progress);
            if (!platform.isEmpty()) options = options.platform(platform);
            try {
                ImageRecord rec = engine.images().pull(ref, options);
                if (rec.manifestDigest() != null) progress.status("Digest: " + rec.manifestDigest());
                progress.status(had ? "Status: Image is up to date for " + ref : "Status: Downloaded newer image for " + ref);
                events.emit("image", "pull", ref, Map.of("name", ref));
            } catch (ImageException e) {
                progress.error(e.getMessage());
            }
        }
    }

    private void push(Request req, Response res) throws IOException {
        String name = req.param("name");
        String tag = req.query("tag", "");
        String ref = tag.isEmpty() ? name : name + ":" + tag;
        try {
            engine.images().inspect(ref);
        } catch (ImageException e) {
            throw ApiError.notFound(e.getMessage());
        }
        try (OutputStream body = res.stream(200, "application/json")) {
            ProgressStream progress = new ProgressStream(body, true);
            progress.status("The push refers to repository [" + name + "]");
            try {
                String digest = engine.images().push(ref, null, RegistryOptions.defaults().listener(progress));
                progress.status((tag.isEmpty() ? "latest" : tag) + ": digest: " + digest);
                progress.aux(Map.of("Tag", tag.isEmpty() ? "latest" : tag, "Digest", digest));
            } catch (ImageException e) {
                progress.error(e.getMessage());
            }
        }
    }

    /** docker save: one image as a docker-archive tar (several names: not yet). */
    private void save(List<String> names, Response res) throws IOException {
        if (names.isEmpty()) throw ApiError.badRequest("images/get: no image names given");
        if (names.size() > 1) throw ApiError.badRequest("images/get: saving several images in one archive is not supported by cgroovy serve yet");
        String ref = names.get(0);
        Path dir = Files.createTempDirectory(Files.createDirectories(engine.root().resolve("tmp")), "save-");
        Path tar = dir.resolve("image.tar");
        try {
            try {
                engine.images().save(ref, tar, "docker-archive");
            } catch (ImageException e) {
                throw String.valueOf(e.getMessage()).contains("no such image") ? ApiError.notFound(e.getMessage()) : ApiError.badRequest(e.getMessage());
            }
            try (OutputStream body = res.stream(200, "application/x-tar"); InputStream in = Files.newInputStream(tar)) {
                in.transferTo(body);
            }
        } finally {
            Files.deleteIfExists(tar);
            Files.deleteIfExists(dir);
        }
    }

    private boolean present(String ref) {
        try {
            engine.images().inspect(ref);
            return true;
        } catch (ImageException e) {
            return false;
        }
    }
}

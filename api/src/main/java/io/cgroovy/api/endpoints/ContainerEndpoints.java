package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.image.ImageException;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Health;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/** {@code /containers/...}: create, start, stop, kill, restart, pause, wait, logs, attach, inspect, list, remove. */
public final class ContainerEndpoints {
    private static final String RAW_STREAM = "application/vnd.docker.raw-stream";
    private static final long POLL_MS = 20;

    private final Engine engine;
    /**
     * Containers created with AutoRemove (docker run --rm): removed by this server once they end; the
     * future holds the exit status for the waits that outlive the container.
     */
    private final Map<String, CompletableFuture<Integer>> autoRemove = new ConcurrentHashMap<>();
    /** Attach streams open per container: an auto-removal waits for them, or their output would be lost. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> attached = new ConcurrentHashMap<>();
    /** Containers created with StdinOnce (docker run -i): an attached client's end of stdin is theirs (kept while this server runs). */
    private final Set<String> stdinOnce = ConcurrentHashMap.newKeySet();

    /** Attaches with stdin waiting for their container's start: it then waits for them (docker run -it loses no prompt). */
    private final Map<String, CompletableFuture<Void>> pendingAttach = new ConcurrentHashMap<>();

    private final Events events;
    /** Containers whose "die" event went out (from the watcher or a forced removal, never both). */
    private final java.util.Set<String> died = ConcurrentHashMap.newKeySet();

    public ContainerEndpoints(Engine engine, Events events) {
        this.engine = engine;
        this.events = events;
    }

    private void emit(String action, ContainerInfo c, Map<String, String> extra) {
        Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put("image", c.image());
        a.put("name", c.name());
        a.putAll(extra);
        events.emit("container", action, c.id(), a);
    }

    private void emitDie(ContainerInfo c, int code) {
        if (died.add(c.id())) emit("die", c, Map.of("exitCode", Integer.toString(code)));
    }

    public void register(Router r) {
        r.on("GET", "/containers/json", this::list);
        r.on("POST", "/containers/create", this::create);
        r.on("GET", "/containers/{id}/json", (req, res) -> res.json(200, inspect(req.param("id"))));
        r.on("POST", "/containers/{id}/start", this::start);
        r.on("POST", "/containers/{id}/stop", (req, res) -> stop(req, res, false));
        r.on("POST", "/containers/{id}/restart", (req, res) -> stop(req, res, true));
        r.on("POST", "/containers/{id}/kill", this::kill);
        r.on("POST", "/containers/{id}/pause", (req, res) -> {
            Failures.run(() -> engine.pause(req.param("id")));
            res.empty(204);
        });
        r.on("POST", "/containers/{id}/unpause", (req, res) -> {
            Failures.run(() -> engine.unpause(req.param("id")));
            res.empty(204);
        });
        r.on("POST", "/containers/{id}/wait", this::await);
        r.on("GET", "/containers/{id}/logs", this::logs);
        r.on("POST", "/containers/{id}/attach", this::attach);
        r.on("POST", "/containers/{id}/resize", (req, res) -> {
            int h = Integer.parseInt(req.query("h", "0")), w = Integer.parseInt(req.query("w", "0"));
            if (h > 0 && w > 0) Failures.run(() -> engine.resize(req.param("id"), h, w));
            res.empty(200);
        });
        r.on("DELETE", "/containers/{id}", this::remove);
    }

    private void list(Request req, Response res) throws IOException {
        boolean all = req.flag("all", false);
        Filters filters = Filters.parse(req.query("filters", null));
        int limit = Integer.parseInt(req.query("limit", "-1"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (ContainerInfo c : Failures.call(() -> engine.ps(all || filters.has("status")))) {
            if (!filters.matches(c)) continue;
            out.add(ContainerViews.summary(c, imageId(c), engine.networks().endpointsOf(c.id())));
            if (limit > 0 && out.size() == limit) break;
        }
        res.json(200, out);
    }

    private void create(Request req, Response res) throws IOException {
        JsonNode body;
        try {
            body = Response.JSON.readTree(req.body());
        } catch (IOException e) {
            throw ApiError.badRequest("create: the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        CreateRequest create = CreateRequest.parse(body, req.query("name", null));
        ContainerInfo c;
        try {
            c = engine.create(create.settings(), create.options());
        } catch (ImageException e) {
            // the docker CLI pulls on a 404 whose message says "No such image"
            if (String.valueOf(e.getMessage()).startsWith("no such image")) throw ApiError.notFound("No such image: " + create.settings().image());
            throw Failures.map(e);
        } catch (ContainerException e) {
            throw Failures.map(e);
        }
        if (create.autoRemove()) autoRemove.put(c.id(), new CompletableFuture<>());
        if (create.stdinOnce()) stdinOnce.add(c.id());
        emit("create", c, Map.of());
        res.json(201, Map.of("Id", c.id(), "Warnings", List.of()));
    }

    private Map<String, Object> inspect(String ref) {
        ContainerInfo c = Failures.call(() -> engine.inspect(ref));
        Health health = Failures.call(() -> engine.health(c.id()));
        return ContainerViews.inspect(c, imageId(c), autoRemove.containsKey(c.id()), engine.networks().endpointsOf(c.id()), health);
    }

    private void start(Request req, Response res) throws IOException {
        ContainerInfo before = Failures.call(() -> engine.inspect(req.param("id")));
        if (before.isRunning()) {
            res.empty(304);
            return;
        }
        CompletableFuture<Void> attach = pendingAttach.remove(before.id());
        ContainerInfo c;
        try {
            c = Failures.call(() -> attach != null ? engine.startForAttach(before.id()) : engine.start(before.id()));
        } finally {
            if (attach != null) attach.complete(null);
        }
        died.remove(c.id());
        emit("start", c, Map.of());
        watchEnd(c);
        res.empty(204);
    }

    /** One thread per container started here, until it ends: its "die" event, and its removal when AutoRemove. */
    private void watchEnd(ContainerInfo c) {
        String id = c.id();
        CompletableFuture<Integer> done = autoRemove.get(id);
        Thread t = new Thread(() -> {
            int code = 0;
            try {
                code = engine.waitFor(id);
                emitDie(c, code);
                if (done == null) return;
                var open = attached.get(id);
                long end = System.currentTimeMillis() + 60_000;
                while (open != null && open.get() > 0 && System.currentTimeMillis() < end) Thread.sleep(POLL_MS);
                engine.remove(id, true);
                stdinOnce.remove(id);
                emit("destroy", c, Map.of());
            } catch (ContainerException e) {
                // removed by someone else meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                died.remove(id);
                if (done != null) {
                    autoRemove.remove(id);
                    attached.remove(id);
                    done.complete(code);
                }
            }
        }, "api-watch");
        t.setDaemon(true);
        t.start();
    }

    private void stop(Request req, Response res, boolean restart) throws IOException {
        String ref = req.param("id");
        Duration timeout = Duration.ofSeconds(Long.parseLong(req.query("t", "10")));
        if (restart) {
            Failures.call(() -> engine.restart(ref, timeout));
            res.empty(204);
            return;
        }
        if (!Failures.call(() -> engine.inspect(ref)).isRunning()) {
            res.empty(304);
            return;
        }
        Failures.call(() -> engine.stop(ref, timeout));
        res.empty(204);
    }

    private void kill(Request req, Response res) throws IOException {
        String ref = req.param("id");
        ContainerInfo c = Failures.call(() -> engine.inspect(ref));
        if (!c.isRunning()) throw ApiError.conflict("container " + c.name() + " is not running");
        Failures.run(() -> engine.kill(ref, req.query("signal", "KILL")));
        res.empty(204);
    }

    /**
     * condition not-running (default), next-exit (waits for a created container to start first) or
     * removed. The headers go out at once: the docker CLI starts the container only after its wait
     * request has been answered that far. The wait ends when the client goes (docker attach waits too,
     * and a killed CLI must not leave a thread waiting for the container's end).
     */
    private void await(Request req, Response res) throws IOException {
        String condition = req.query("condition", "not-running");
        if (!Set.of("not-running", "next-exit", "removed").contains(condition)) {
            throw ApiError.badRequest("wait: unknown condition '" + condition + "'");
        }
        ContainerInfo first = Failures.call(() -> engine.inspect(req.param("id")));
        String id = first.id();
        CompletableFuture<Integer> removal = autoRemove.get(id);
        try (OutputStream body = res.streamUntilClientGoes(200, "application/json")) {
            body.flush();
            Map<String, Object> answer = new HashMap<>();
            int code = 0;
            try {
                ContainerInfo c = first;
                if (removal != null) {
                    c = null;                        // the removal thread waits for it and keeps the status
                    code = removal.get();
                } else if (!condition.equals("not-running")) {
                    while (c != null && c.status().equals("created")) {
                        sleep();
                        c = current(id);
                    }
                }
                if (c != null) code = engine.waitFor(id);
                if (condition.equals("removed")) {
                    while (current(id) != null) sleep();
                }
                answer.put("Error", null);
            } catch (ContainerException | ExecutionException e) {
                answer.put("Error", Map.of("Message", String.valueOf(e.getMessage())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            answer.put("StatusCode", code);
            body.write(Response.JSON.writeValueAsBytes(answer));
            body.write('\n');
        }
    }

    private void logs(Request req, Response res) throws IOException {
        ContainerInfo c = Failures.call(() -> engine.inspect(req.param("id")));
        boolean stdout = req.flag("stdout", false), stderr = req.flag("stderr", false);
        if (!stdout && !stderr) throw ApiError.badRequest("logs: you must choose at least one stream (stdout or stderr)");
        int tail = parseTail(req.query("tail", "all"));
        boolean follow = req.flag("follow", false);
        try (OutputStream body = follow ? res.streamUntilClientGoes(200, RAW_STREAM) : res.stream(200, RAW_STREAM)) {
            OutputStream out = c.tty() ? body : new StdStream(body, StdStream.STDOUT);
            OutputStream err = c.tty() ? body : new StdStream(body, StdStream.STDERR);
            engine.logs(c.id(), tail, follow, stdout ? out : OutputStream.nullOutputStream(),
                    stderr ? err : OutputStream.nullOutputStream());
        }
    }

    /**
     * Hijacks the connection. Without stdin the output comes from the container's log, followed from
     * its start, so nothing written before the client's start request is lost; with stdin the
     * monitor's attach carries both directions.
     */
    private void attach(Request req, Response res) throws IOException {
        ContainerInfo c = Failures.call(() -> engine.inspect(req.param("id")));
        boolean stdin = req.flag("stdin", false), stdout = req.flag("stdout", false), stderr = req.flag("stderr", false);
        boolean upgrade = req.header("Upgrade") != null;
        String id = c.id();
        var open = attached.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicInteger());
        open.incrementAndGet();
        try {
            attachStreams(req, c, res, stdin, stdout, stderr, upgrade);
        } finally {
            open.decrementAndGet();
        }
    }

    private void attachStreams(Request req, ContainerInfo c, Response res, boolean stdin, boolean stdout, boolean stderr,
                               boolean upgrade) throws IOException {
        Response.Hijacked raw = res.hijack(upgrade, c.tty() ? RAW_STREAM : "application/vnd.docker.multiplexed-stream");
        String id = c.id();
        CompletableFuture<Void> started = null;
        if (stdin && c.status().equals("created")) started = pendingAttach.computeIfAbsent(id, k -> new CompletableFuture<>());
        while (c != null && c.status().equals("created") && (started == null || !started.isDone())) {
            sleep();
            c = current(id);
        }
        if (started != null) pendingAttach.remove(id, started);
        if (c == null) return;
        OutputStream out = c.tty() ? raw.out() : new StdStream(raw.out(), StdStream.STDOUT);
        OutputStream err = c.tty() ? raw.out() : new StdStream(raw.out(), StdStream.STDERR);
        OutputStream o = stdout ? out : OutputStream.nullOutputStream();
        OutputStream e = stderr ? err : OutputStream.nullOutputStream();
        try {
            if (stdin) {
                InputStream in = raw.in();
                engine.attach(id, stdinOnce.contains(id), in, o, e);
            } else {
                engine.logs(id, -1, true, o, e);
            }
        } catch (ContainerException ex) {
            // ended before the attach: what it wrote is in its log
            engine.logs(id, -1, false, o, e);
        }
        raw.out().flush();
    }

    private void remove(Request req, Response res) throws IOException {
        String ref = req.param("id");
        ContainerInfo c = Failures.call(() -> engine.inspect(ref));
        boolean force = req.flag("force", false);
        if (c.isRunning() && !force) {
            throw ApiError.conflict("cannot remove container " + c.name() + ": it is running (stop it first, or force)");
        }
        if (c.isRunning()) emitDie(c, 137); // docker rm -f kills it
        Failures.run(() -> engine.remove(c.id(), force));
        autoRemove.remove(c.id());
        stdinOnce.remove(c.id());
        emit("destroy", c, Map.of());
        res.empty(204);
    }

    private ContainerInfo current(String id) {
        try {
            return engine.inspect(id);
        } catch (ContainerException e) {
            return null;
        }
    }

    private String imageId(ContainerInfo c) {
        try {
            return engine.images().inspect(c.image()).id();
        } catch (ImageException e) {
            return "";
        }
    }

    private static int parseTail(String tail) {
        if (tail.equals("all") || tail.isEmpty()) return -1;
        try {
            return Integer.parseInt(tail);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("logs: tail '" + tail + "' is not a number or 'all'");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted");
        }
    }
}

package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.inspect.Processes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /containers/{id}/top}: the container's processes as {@code {"Titles": [...], "Processes": [[...]]}}.
 * Without {@code ps_args} the engine reads them from /proc in ps -ef's columns; with them, as Docker does,
 * the host's {@code ps ARGS} runs and only the rows whose PID is in the container's cgroup are kept.
 */
public final class TopEndpoints {
    private final Engine engine;

    public TopEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("GET", "/containers/{id}/top", this::top);
    }

    private void top(Request req, Response res) throws IOException {
        ContainerInfo c = Failures.call(() -> engine.inspect(req.param("id")));
        if (!c.isRunning()) throw ApiError.conflict("Container " + c.id() + " is not running");
        String psArgs = req.query("ps_args", "").trim();
        Map<String, Object> body = new LinkedHashMap<>();
        if (psArgs.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (Processes.Process p : Failures.call(() -> engine.top(c.id()))) rows.add(p.row());
            body.put("Titles", Processes.TITLES);
            body.put("Processes", rows);
        } else {
            List<Long> pids = Failures.call(() -> engine.cgroupOf(c.id()).pids());
            String out = ps(psArgs);
            parse(out, new HashSet<>(pids), body);
        }
        res.json(200, body);
    }

    /** The output of the host's ps with these arguments (split at spaces, as Docker does). */
    private static String ps(String psArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ps"));
        cmd.addAll(Arrays.asList(psArgs.split("\\s+")));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ApiError(500, "ps " + psArgs + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted");
        }
        if (p.exitValue() != 0) throw new ApiError(500, "ps " + psArgs + " failed: " + (err.isEmpty() ? "exit " + p.exitValue() : err));
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Docker's parsing: the first line's words are the titles; each row has as many fields, the last one keeps its spaces. */
    static void parse(String out, Set<Long> pids, Map<String, Object> body) {
        String[] lines = out.split("\n");
        List<String> titles = Arrays.asList(lines[0].trim().split("\\s+"));
        int pidAt = titles.indexOf("PID");
        if (pidAt < 0) throw ApiError.badRequest("ps_args: ps printed no PID column (titles " + titles + ")");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            List<String> f = Arrays.asList(lines[i].trim().split("\\s+", titles.size()));
            try {
                if (f.size() > pidAt && pids.contains(Long.parseLong(f.get(pidAt)))) rows.add(f);
            } catch (NumberFormatException e) {
                // not a process row
            }
        }
        body.put("Titles", titles);
        body.put("Processes", rows);
    }
}

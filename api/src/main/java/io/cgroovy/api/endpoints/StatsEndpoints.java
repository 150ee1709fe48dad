package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.cgroup.Stats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/stats}: the container's cgroup usage in Docker's JSON shape, one
 * object a second while {@code stream} (the default), or one object with {@code stream=false}
 * (with {@code precpu_stats} a second earlier unless {@code one-shot}). {@code docker stats}
 * computes CPU % from the deltas of {@code cpu_usage.total_usage} and {@code system_cpu_usage}.
 */
public final class StatsEndpoints {
    private static final long INTERVAL_MS = 1000;
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private final Engine engine;

    public StatsEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("GET", "/containers/{id}/stats", this::stats);
    }

    /** One reading: the cgroup's stats and the host's CPU time at the same moment. */
    private record Sample(Instant at, Stats stats, long systemNanos) {}

    private void stats(Request req, Response res) throws IOException {
        ContainerInfo c = Failures.call(() -> engine.inspect(req.param("id")));
        boolean stream = req.flag("stream", true);
        boolean oneShot = req.flag("one-shot", false);
        if (!c.isRunning()) {
            if (!stream) {
                res.json(200, view(c, null, null));
                return;
            }
            throw ApiError.conflict("container " + c.name() + " is not running");
        }
        Sample prev = sample(c);
        if (!stream) {
            Sample now = prev;
            if (!oneShot) {
                sleep();
                now = sample(c);
            }
            res.json(200, view(c, now, oneShot ? null : prev));
            return;
        }
        try (OutputStream out = res.streamUntilClientGoes(200, "application/json")) {
            Sample last = null;
            while (true) {
                Sample now = last == null ? prev : sample(c);
                if (now == null) return; // the container has ended
                out.write(Response.JSON.writeValueAsBytes(view(c, now, last)));
                out.write('\n');
                out.flush(); // a client that went away makes this throw: the stream ends
                last = now;
                sleep();
            }
        }
    }

    private Sample sample(ContainerInfo c) {
        try {
            Stats s = engine.cgroupOf(c.id()).stats();
            return new Sample(Instant.now(), s, systemNanos());
        } catch (ContainerException e) {
            return null;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(INTERVAL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted");
        }
    }

    private static Map<String, Object> view(ContainerInfo c, Sample now, Sample prev) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("read", now == null ? "0001-01-01T00:00:00Z" : now.at().toString());
        m.put("preread", prev == null ? "0001-01-01T00:00:00Z" : prev.at().toString());
        Map<String, Object> pids = new LinkedHashMap<>();
        if (now != null) {
            pids.put("current", now.stats().pidsCurrent());
            if (now.stats().pidsMax() != null) pids.put("limit", now.stats().pidsMax());
        }
        m.put("pids_stats", pids);
        m.put("num_procs", 0);
        m.put("cpu_stats", cpu(now));
        m.put("precpu_stats", cpu(prev));
        Map<String, Object> mem = new LinkedHashMap<>();
        if (now != null) {
            Stats s = now.stats();
            mem.put("usage", s.memoryUsageBytes());
            if (s.memoryMaxUsageBytes() != null) mem.put("max_usage", s.memoryMaxUsageBytes());
            mem.put("limit", s.memoryLimitBytes() != null ? s.memoryLimitBytes() : hostMemory());
            mem.put("failcnt", s.oomKills());
            mem.put("stats", Map.of());
        }
        m.put("memory_stats", mem);
        Map<String, Object> blk = new LinkedHashMap<>();
        if (now != null) {
            blk.put("io_service_bytes_recursive", List.of(
                    Map.of("major", 0, "minor", 0, "op", "read", "value", now.stats().ioReadBytes()),
                    Map.of("major", 0, "minor", 0, "op", "write", "value", now.stats().ioWriteBytes())));
        }
        m.put("blkio_stats", blk);
        m.put("name", "/" + c.name());
        m.put("id", c.id());
        return m;
    }

    private static Map<String, Object> cpu(Sample s) {
        Map<String, Object> cpu = new LinkedHashMap<>();
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("total_usage", s == null ? 0 : s.stats().cpuUsageNanos());
        usage.put("usage_in_kernelmode", 0);
        usage.put("usage_in_usermode", 0);
        cpu.put("cpu_usage", usage);
        if (s != null) {
            cpu.put("system_cpu_usage", s.systemNanos());
            cpu.put("online_cpus", Runtime.getRuntime().availableProcessors());
            cpu.put("throttling_data", Map.of("periods", 0, "throttled_periods", s.stats().cpuThrottledPeriods(), "throttled_time", 0));
        }
        return cpu;
    }

    /** The host's CPU time in ns (the "cpu" line of /proc/stat, in USER_HZ = 100 ticks a second), as Docker reads it. */
    private static long systemNanos() {
        try {
            for (String line : Files.readAllLines(PROC_STAT)) {
                if (!line.startsWith("cpu ")) continue;
                long ticks = 0;
                String[] f = line.trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 7; i++) ticks += Long.parseLong(f[i]);
                return ticks * 10_000_000L;
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc/stat: no CPU percentage
        }
        return 0;
    }

    private static long hostMemory() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }
}

package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.runtime.ContainerSettings;
import io.cgroovy.runtime.DetachOptions;
import io.cgroovy.runtime.Healthcheck;
import io.cgroovy.runtime.MountSpec;
import io.cgroovy.runtime.Networking;
import io.cgroovy.runtime.net.PublishedPort;
import io.cgroovy.runtime.RestartPolicy;
import io.cgroovy.runtime.Security;
import io.cgroovy.runtime.cgroup.Resources;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /containers/create} (Docker's ContainerConfig with HostConfig) as engine
 * settings. A setting the engine cannot honour yet is refused by name, never silently dropped.
 */
record CreateRequest(ContainerSettings settings, DetachOptions options, boolean autoRemove, boolean stdinOnce) {

    static CreateRequest parse(JsonNode body, String name) {
        if (body == null || !body.isObject()) throw ApiError.badRequest("create: the body must be a JSON object (ContainerConfig)");
        String image = text(body, "Image");
        if (image == null || image.isBlank()) throw ApiError.badRequest("create: no Image given");
        List<String> entrypoint = body.path("Entrypoint").isArray() || body.path("Entrypoint").isTextual()
                ? strings(body.path("Entrypoint")) : null;
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : strings(body.path("Env"))) {
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        JsonNode host = body.path("HostConfig");
        refuseSet(host, "Mounts", "Links", "Devices", "ExtraHosts", "VolumesFrom", "Dns");
        if (host.path("PublishAllPorts").asBoolean(false)) throw ApiError.badRequest("create: PublishAllPorts (-P) is not supported by cgroovy serve yet");
        List<PublishedPort> ports = ports(host.path("PortBindings"));
        Networking networking = networking(text(host, "NetworkMode"), ports);
        Resources resources = new Resources(positive(host, "Memory"), memorySwap(host), cpus(host),
                positive(host, "CpuShares"), positive(host, "PidsLimit"));
        Security security = new Security(strings(host.path("CapAdd")), strings(host.path("CapDrop")),
                host.path("Privileged").asBoolean(false), seccomp(host), host.path("ReadonlyRootfs").asBoolean(false),
                null, List.of());
        RestartPolicy restart = RestartPolicy.NO;
        JsonNode rp = host.path("RestartPolicy");
        String rpName = text(rp, "Name");
        if (rpName != null && !rpName.isEmpty()) {
            int max = rp.path("MaximumRetryCount").asInt(0);
            restart = RestartPolicy.parse(max > 0 ? rpName + ":" + max : rpName);
        }
        String user = text(body, "User");
        String workdir = text(body, "WorkingDir");
        String hostname = text(body, "Hostname");
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        ContainerSettings settings = Failures.call(() -> new ContainerSettings(image, name == null || name.isEmpty() ? null : name,
                strings(body.path("Cmd")), env, blankToNull(hostname), blankToNull(workdir), blankToNull(user),
                resources, security, mounts(body, host), false, networking, entrypoint, labels));
        Healthcheck health = healthcheck(body.path("Healthcheck"));
        DetachOptions options = new DetachOptions(body.path("Tty").asBoolean(false), body.path("OpenStdin").asBoolean(false), restart, health);
        return new CreateRequest(settings, options, host.path("AutoRemove").asBoolean(false),
                options.interactive() && body.path("StdinOnce").asBoolean(false));
    }

    /**
     * HostConfig.Binds ("name:/path[:ro]" a named volume, "/host:/path[:ro]" a bind), HostConfig.Tmpfs
     * ({"/tmp": "size=64m"}) and Config.Volumes (anonymous volumes), in docker run's order.
     */
    private static List<MountSpec> mounts(JsonNode body, JsonNode host) {
        List<MountSpec> out = new ArrayList<>();
        for (String b : strings(host.path("Binds"))) {
            String[] p = b.split(":");
            if (p.length < 2 || p.length > 3 || p[0].isEmpty()) throw ApiError.badRequest("create: bind '" + b + "' is not SOURCE:DEST[:OPTIONS]");
            boolean ro = false;
            if (p.length == 3) {
                for (String o : p[2].split(",")) {
                    if (o.equals("ro")) ro = true;
                    else if (!o.equals("rw") && !o.isEmpty()) throw ApiError.badRequest("create: bind option '" + o + "' is not supported by cgroovy serve yet");
                }
            }
            boolean readOnly = ro;
            out.add(Failures.call(() -> p[0].startsWith("/") ? MountSpec.bind(p[0], p[1], readOnly) : MountSpec.volume(p[0], p[1], readOnly)));
        }
        for (var it = host.path("Tmpfs").fields(); it.hasNext(); ) {
            var e = it.next();
            Long size = null;
            for (String o : e.getValue().asText("").split(",")) {
                if (o.startsWith("size=")) size = bytes(o.substring(5));
                else if (!o.isEmpty()) throw ApiError.badRequest("create: tmpfs option '" + o + "' is not supported by cgroovy serve yet");
            }
            Long s = size;
            out.add(Failures.call(() -> MountSpec.tmpfs(e.getKey(), s)));
        }
        java.util.Set<String> taken = new java.util.HashSet<>();
        out.forEach(m -> taken.add(m.destination()));
        for (var it = body.path("Volumes").fieldNames(); it.hasNext(); ) {
            String dest = it.next();
            if (taken.add(dest)) out.add(Failures.call(() -> MountSpec.volume(null, dest, false)));
        }
        return out;
    }

    /** "64m", "1g", "4096": bytes. */
    private static long bytes(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k")) unit = 1L << 10;
        else if (t.endsWith("m")) unit = 1L << 20;
        else if (t.endsWith("g")) unit = 1L << 30;
        if (unit > 1) t = t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(t) * unit;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("create: tmpfs size '" + text + "' is not a size (64m, 1g)");
        }
    }

    /** {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}: an empty host port is any free one. */
    private static List<PublishedPort> ports(JsonNode bindings) {
        List<PublishedPort> out = new ArrayList<>();
        for (var it = bindings.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            String proto = key.contains("/") ? key.substring(key.indexOf('/') + 1) : "tcp";
            String port = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
            JsonNode list = e.getValue();
            if (!list.isArray() || list.isEmpty()) continue; // exposed, not published
            for (JsonNode b : list) {
                String ip = text(b, "HostIp");
                String hostPort = text(b, "HostPort");
                String text = (ip == null ? "" : ip) + ":" + (hostPort == null || hostPort.isEmpty() ? "0" : hostPort) + ":" + port + "/" + proto;
                out.add(Failures.call(() -> PublishedPort.parse(text)));
            }
        }
        return out;
    }

    /**
     * Docker's NetworkMode: "none", "host", "bridge" or a network's name. "default" (or none given)
     * is network none, as cgroovy's own default, unless ports are published: then Docker's bridge.
     */
    private static Networking networking(String mode, List<PublishedPort> ports) {
        if (mode == null || mode.isEmpty() || mode.equals("default")) {
            return ports.isEmpty() ? Networking.NONE : Networking.bridge(ports);
        }
        if (mode.startsWith("container:")) throw ApiError.badRequest("create: NetworkMode '" + mode + "' is not supported by cgroovy serve yet");
        if (mode.equals("none") || mode.equals("host")) {
            if (!ports.isEmpty()) throw ApiError.badRequest("create: ports cannot be published on network " + mode);
            return mode.equals("none") ? Networking.NONE : Networking.HOST;
        }
        return Failures.call(() -> Networking.of(List.of(mode), Map.of(), ports));
    }

    private static void refuseSet(JsonNode host, String... fields) {
        for (String f : fields) {
            JsonNode n = host.path(f);
            boolean set = (n.isArray() || n.isObject()) ? !n.isEmpty() : !(n.isNull() || n.isMissingNode());
            if (set) throw ApiError.badRequest("create: HostConfig." + f + " is not supported by cgroovy serve yet");
        }
    }

    private static Long positive(JsonNode n, String field) {
        long v = n.path(field).asLong(0);
        return v > 0 ? v : null;
    }

    private static Long memorySwap(JsonNode host) {
        long v = host.path("MemorySwap").asLong(0);
        return v == 0 ? null : v;
    }

    private static Double cpus(JsonNode host) {
        long nano = host.path("NanoCpus").asLong(0);
        if (nano > 0) return nano / 1e9;
        long quota = host.path("CpuQuota").asLong(0);
        long period = host.path("CpuPeriod").asLong(0);
        if (quota > 0) return (double) quota / (period > 0 ? period : 100_000);
        return null;
    }

    private static String seccomp(JsonNode host) {
        for (String opt : strings(host.path("SecurityOpt"))) {
            if (opt.startsWith("seccomp=") || opt.startsWith("seccomp:")) return opt.substring(8);
        }
        return null;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /**
     * Config.Healthcheck (docker run --health-*: Test, durations in nanoseconds with 0 for the default,
     * Retries; --no-healthcheck is Test ["NONE"]); null when not given: the image's check, if any.
     */
    private static Healthcheck healthcheck(JsonNode h) {
        if (!h.isObject()) return null;
        List<String> test = strings(h.path("Test"));
        Duration interval = nanos(h, "Interval"), timeout = nanos(h, "Timeout"), startPeriod = nanos(h, "StartPeriod");
        Integer retries = h.path("Retries").asInt(0) > 0 ? h.path("Retries").asInt() : null;
        if (test.isEmpty() && interval == null && timeout == null && startPeriod == null && retries == null) return null;
        return Failures.call(() -> new Healthcheck(test, interval, timeout, startPeriod, retries));
    }

    private static Duration nanos(JsonNode h, String field) {
        long n = h.path(field).asLong(0);
        return n == 0 ? null : Duration.ofNanos(n);
    }

    static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isTextual()) out.add(n.asText());
        if (n.isArray()) n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

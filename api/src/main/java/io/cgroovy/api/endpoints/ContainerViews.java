package io.cgroovy.api.endpoints;

import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Health;

import io.cgroovy.runtime.net.Endpoint;
import io.cgroovy.runtime.net.PublishedPort;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container as {@code /containers/json} and {@code /containers/{id}/json} show it. */
final class ContainerViews {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ContainerViews() {}

    static Map<String, Object> summary(ContainerInfo c, String imageId, List<Endpoint> eps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Names", List.of("/" + c.name()));
        m.put("Image", c.image());
        m.put("ImageID", imageId);
        m.put("Command", String.join(" ", c.command()));
        m.put("Created", c.created() == null ? 0 : c.created().getEpochSecond());
        List<Map<String, Object>> ports = new ArrayList<>();
        for (PublishedPort p : ports(eps)) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("IP", p.hostIp() == null ? "0.0.0.0" : p.hostIp());
            x.put("PrivatePort", p.containerPort());
            x.put("PublicPort", p.hostPort());
            x.put("Type", p.protocol());
            ports.add(x);
        }
        m.put("Ports", ports);
        m.put("Labels", c.labels());
        m.put("State", c.status());
        m.put("Status", c.statusText(Instant.now()));
        m.put("HostConfig", Map.of("NetworkMode", eps.isEmpty() ? "none" : eps.get(0).network));
        m.put("NetworkSettings", Map.of("Networks", networks(eps)));
        m.put("Mounts", List.of());
        return m;
    }

    static Map<String, Object> inspect(ContainerInfo c, String imageId, boolean autoRemove, List<Endpoint> eps, Health health) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", c.status());
        state.put("Running", c.isRunning());
        state.put("Paused", c.status().equals("paused"));
        state.put("Restarting", c.status().equals("restarting"));
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error());
        state.put("StartedAt", time(c.startedAt()));
        state.put("FinishedAt", time(c.finishedAt()));
        if (health != null) state.put("Health", health(health));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", c.id().substring(0, 12));
        config.put("Image", c.image());
        config.put("Cmd", c.command());
        config.put("Tty", c.tty());
        config.put("Labels", c.labels());

        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", eps.isEmpty() ? "none" : eps.get(0).network);
        Map<String, Object> bindings = portMap(eps);
        host.put("PortBindings", bindings);
        host.put("AutoRemove", autoRemove);
        host.put("RestartPolicy", Map.of("Name", c.restart().name(), "MaximumRetryCount", c.restart().maxRetries()));

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", time(c.created()));
        m.put("Path", c.command().isEmpty() ? "" : c.command().get(0));
        m.put("Args", c.command().size() > 1 ? c.command().subList(1, c.command().size()) : List.of());
        m.put("State", state);
        m.put("Image", imageId);
        m.put("Name", "/" + c.name());
        m.put("RestartCount", c.restartCount());
        m.put("Driver", "overlay");
        m.put("Platform", "linux");
        m.put("HostConfig", host);
        m.put("Config", config);
        m.put("Mounts", List.of());
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("Ports", bindings);
        net.put("IPAddress", eps.isEmpty() ? "" : eps.get(0).ip());
        net.put("Networks", networks(eps));
        m.put("NetworkSettings", net);
        return m;
    }

    /** Docker's State.Health: Status, FailingStreak and the last results (Start, End, ExitCode, Output). */
    private static Map<String, Object> health(Health h) {
        List<Map<String, Object>> log = new ArrayList<>();
        for (Health.Result r : h.log()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("Start", r.start());
            x.put("End", r.end());
            x.put("ExitCode", r.exitCode());
            x.put("Output", r.output());
            log.add(x);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", h.status());
        m.put("FailingStreak", h.failingStreak());
        m.put("Log", log);
        return m;
    }

    private static List<PublishedPort> ports(List<Endpoint> eps) {
        List<PublishedPort> out = new ArrayList<>();
        for (Endpoint e : eps) for (String p : e.ports) out.add(PublishedPort.parse(p));
        return out;
    }

    /** {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]}, what clients read a mapped port from. */
    private static Map<String, Object> portMap(List<Endpoint> eps) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (PublishedPort p : ports(eps)) {
            @SuppressWarnings("unchecked")
            List<Map<String, String>> l = (List<Map<String, String>>) m.computeIfAbsent(p.containerPort() + "/" + p.protocol(), k -> new ArrayList<>());
            l.add(Map.of("HostIp", p.hostIp() == null ? "0.0.0.0" : p.hostIp(), "HostPort", Integer.toString(p.hostPort())));
        }
        return m;
    }

    private static Map<String, Object> networks(List<Endpoint> eps) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Endpoint e : eps) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("Aliases", e.aliases);
            n.put("IPAddress", e.ip());
            int slash = e.address == null ? -1 : e.address.indexOf('/');
            n.put("IPPrefixLen", slash < 0 ? 0 : Integer.parseInt(e.address.substring(slash + 1)));
            n.put("EndpointID", e.container);
            m.put(e.network, n);
        }
        return m;
    }

    private static String time(Instant t) {
        return t == null ? ZERO_TIME : t.toString();
    }
}

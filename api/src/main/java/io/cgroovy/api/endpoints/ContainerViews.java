package io.cgroovy.api.endpoints;

import io.cgroovy.runtime.ContainerInfo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container as {@code /containers/json} and {@code /containers/{id}/json} show it. */
final class ContainerViews {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ContainerViews() {}

    static Map<String, Object> summary(ContainerInfo c, String imageId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Names", List.of("/" + c.name()));
        m.put("Image", c.image());
        m.put("ImageID", imageId);
        m.put("Command", String.join(" ", c.command()));
        m.put("Created", c.created() == null ? 0 : c.created().getEpochSecond());
        m.put("Ports", List.of());
        m.put("Labels", Map.of());
        m.put("State", c.status());
        m.put("Status", c.statusText(Instant.now()));
        m.put("HostConfig", Map.of("NetworkMode", "none"));
        m.put("NetworkSettings", Map.of("Networks", Map.of()));
        m.put("Mounts", List.of());
        return m;
    }

    static Map<String, Object> inspect(ContainerInfo c, String imageId, boolean autoRemove) {
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

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", c.id().substring(0, 12));
        config.put("Image", c.image());
        config.put("Cmd", c.command());
        config.put("Tty", c.tty());
        config.put("Labels", Map.of());

        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", "none");
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
        m.put("NetworkSettings", Map.of("Networks", Map.of(), "Ports", Map.of()));
        return m;
    }

    private static String time(Instant t) {
        return t == null ? ZERO_TIME : t.toString();
    }
}

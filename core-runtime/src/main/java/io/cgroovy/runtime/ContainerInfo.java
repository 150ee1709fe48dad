package io.cgroovy.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code ps} and {@code inspect} show of a detached container, read from its record and its
 * monitor's state.
 *
 * @param status     "created", "running", "paused", "restarting" or "exited" (Docker's words)
 * @param exitCode   the last exit status (128+signal when killed); 0 while it never ended
 * @param pid        the container's first process on the host while running, else 0
 * @param error      why the last start failed, or ""
 * @param labels     the labels it was created with
 * @param health     "starting", "healthy" or "unhealthy" while a container with a health check runs, else ""
 */
public record ContainerInfo(String id, String name, String image, List<String> command, Instant created,
                           String status, int exitCode, boolean oomKilled, long pid, int restartCount,
                           Instant startedAt, Instant finishedAt, RestartPolicy restart, boolean tty, String error,
                           Map<String, String> labels, String health) {
    public ContainerInfo {
        command = command == null ? List.of() : List.copyOf(command);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        health = health == null ? "" : health;
    }

    /** Without a health check. */
    public ContainerInfo(String id, String name, String image, List<String> command, Instant created,
                         String status, int exitCode, boolean oomKilled, long pid, int restartCount,
                         Instant startedAt, Instant finishedAt, RestartPolicy restart, boolean tty, String error,
                         Map<String, String> labels) {
        this(id, name, image, command, created, status, exitCode, oomKilled, pid, restartCount, startedAt, finishedAt,
                restart, tty, error, labels, "");
    }

    /** The first 12 characters of the id, as Docker shows it. */
    public String shortId() { return id.substring(0, Math.min(12, id.length())); }

    /** True while its processes exist (running or paused). */
    public boolean isRunning() { return status.equals("running") || status.equals("paused"); }

    /** Docker's STATUS column: "Up 3 seconds", "Up 2 minutes (Paused)", "Exited (0) 5 seconds ago", "Created". */
    public String statusText(Instant now) {
        return switch (status) {
            case "running" -> "Up " + ago(startedAt, now) + healthText();
            case "paused" -> "Up " + ago(startedAt, now) + " (Paused)";
            case "restarting" -> "Restarting (" + exitCode + ") " + ago(finishedAt, now) + " ago";
            case "exited" -> "Exited (" + exitCode + ") " + ago(finishedAt, now) + " ago";
            default -> "Created";
        };
    }

    /** " (healthy)", " (unhealthy)", " (health: starting)" as docker ps shows them; "" without a check. */
    private String healthText() {
        if (health.isEmpty()) return "";
        return health.equals("starting") ? " (health: starting)" : " (" + health + ")";
    }

    /** Docker's human durations: "Less than a second", "5 seconds", "About a minute", "3 hours", ... */
    public static String ago(Instant then, Instant now) {
        if (then == null) return "Less than a second";
        long s = Math.max(0, Duration.between(then, now).getSeconds());
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = Math.round(s / 3600.0);
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        if (h < 24 * 14) return h / 24 + " days";
        if (h < 24 * 60) return h / 24 / 7 + " weeks";
        return h / 24 / 30 + " months";
    }
}

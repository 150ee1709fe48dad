package io.cgroovy.runtime;

import java.util.List;

/**
 * The health of a container with a health check, as its monitor last wrote it ({@code health.json},
 * Docker's {@code State.Health}).
 *
 * @param status        "starting", "healthy" or "unhealthy"
 * @param failingStreak failed checks in a row
 * @param log           the last 5 results, oldest first
 */
public record Health(String status, int failingStreak, List<Result> log) {
    public Health {
        log = log == null ? List.of() : List.copyOf(log);
    }

    /** One check: when it ran, its exit status (-1: killed at the timeout) and the first 4 KiB of its output. */
    public record Result(String start, String end, int exitCode, String output) {}
}

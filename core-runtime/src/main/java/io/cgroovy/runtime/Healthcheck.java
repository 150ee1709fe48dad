package io.cgroovy.runtime;

import io.cgroovy.image.ImageConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's HEALTHCHECK of a detached container: a command run inside it every {@code interval}
 * (by its monitor, see monitor.c), failed when it exits non-zero or outlasts {@code timeout};
 * {@code retries} failures in a row make it "unhealthy", failures within {@code startPeriod} of a
 * start do not count. Unset parts (null, or an empty test) come from the image's HEALTHCHECK, then
 * Docker's defaults (30 s, 30 s, 0 s, 3).
 *
 * @param test ["CMD-SHELL", command] (run by /bin/sh -c), ["CMD", argv...], ["NONE"] (no check, also
 *             not the image's), or empty (the image's command)
 */
public record Healthcheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod, Integer retries) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;
    /** No health check, not even the image's (docker run --no-healthcheck). */
    public static final Healthcheck NONE = new Healthcheck(List.of("NONE"), null, null, null, null);

    public Healthcheck {
        test = test == null ? List.of() : List.copyOf(test);
        if (!test.isEmpty()) {
            String kind = test.get(0);
            switch (kind) {
                case "NONE" -> { }
                case "CMD", "CMD-SHELL" -> {
                    if (test.size() < 2 || test.get(1) == null || test.get(1).isBlank()) {
                        throw new ContainerException("healthcheck: no command given");
                    }
                }
                default -> throw new ContainerException("healthcheck: test must start with CMD, CMD-SHELL or NONE, not '" + kind + "'");
            }
        }
        check("interval", interval, Duration.ofMillis(1));
        check("timeout", timeout, Duration.ofMillis(1));
        check("startPeriod", startPeriod, Duration.ZERO);
        if (retries != null && retries < 0) throw new ContainerException("healthcheck: retries must be at least 0, not " + retries);
    }

    private static void check(String what, Duration d, Duration min) {
        if (d != null && !d.isZero() && d.compareTo(min) < 0) {
            throw new ContainerException("healthcheck: " + what + " must be at least " + min.toMillis() + "ms");
        }
        if (d != null && d.isNegative()) throw new ContainerException("healthcheck: " + what + " must not be negative");
    }

    /** A shell command ({@code HEALTHCHECK CMD curl -f http://localhost/}: CMD-SHELL). */
    public static Healthcheck shell(String command) {
        return new Healthcheck(List.of("CMD-SHELL", command), null, null, null, null);
    }

    /** True for NONE: the container gets no check. */
    public boolean disabled() { return !test.isEmpty() && test.get(0).equals("NONE"); }

    /** The argv the check runs in the container. */
    public List<String> command() {
        if (test.isEmpty() || disabled()) throw new ContainerException("healthcheck: no command");
        if (test.get(0).equals("CMD-SHELL")) return List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
        return List.copyOf(test.subList(1, test.size()));
    }

    public Duration intervalOrDefault() { return unset(interval) ? DEFAULT_INTERVAL : interval; }

    public Duration timeoutOrDefault() { return unset(timeout) ? DEFAULT_TIMEOUT : timeout; }

    public Duration startPeriodOrDefault() { return startPeriod == null ? Duration.ZERO : startPeriod; }

    public int retriesOrDefault() { return retries == null || retries == 0 ? DEFAULT_RETRIES : retries; }

    private static boolean unset(Duration d) { return d == null || d.isZero(); }

    /**
     * The check a container runs: {@code mine} over the image's, part by part, as Docker merges them;
     * null when there is none (or NONE).
     */
    public static Healthcheck effective(Healthcheck mine, ImageConfig image) {
        Healthcheck fromImage = fromImage(image);
        if (mine == null) return fromImage == null || fromImage.disabled() || fromImage.test.isEmpty() ? null : fromImage;
        if (mine.disabled()) return null;
        Healthcheck base = fromImage == null ? new Healthcheck(List.of(), null, null, null, null) : fromImage;
        List<String> test = mine.test.isEmpty() ? base.test : mine.test;
        if (test.isEmpty() || test.get(0).equals("NONE")) {
            if (mine.test.isEmpty()) throw new ContainerException("healthcheck: no command given, and the image has none");
            return null;
        }
        return new Healthcheck(test,
                unset(mine.interval) ? base.interval : mine.interval,
                unset(mine.timeout) ? base.timeout : mine.timeout,
                mine.startPeriod == null ? base.startPeriod : mine.startPeriod,
                mine.retries == null || mine.retries == 0 ? base.retries : mine.retries);
    }

    /** The image's HEALTHCHECK (config.Healthcheck, durations in nanoseconds), or null. */
    public static Healthcheck fromImage(ImageConfig image) {
        if (image == null || image.config == null || image.config.healthcheck == null) return null;
        ImageConfig.Healthcheck h = image.config.healthcheck;
        List<String> test = h.test == null ? List.of() : new ArrayList<>(h.test);
        try {
            return new Healthcheck(test, nanos(h.interval), nanos(h.timeout), nanos(h.startPeriod), h.retries);
        } catch (ContainerException e) {
            throw new ContainerException("the image's " + e.getMessage(), e);
        }
    }

    private static Duration nanos(Long n) { return n == null || n == 0 ? null : Duration.ofNanos(n); }
}

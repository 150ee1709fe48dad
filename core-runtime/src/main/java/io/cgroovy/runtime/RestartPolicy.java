package io.cgroovy.runtime;

/**
 * Docker's restart policies, carried out by the container's monitor: {@code no},
 * {@code on-failure[:N]} (restart after a non-zero exit, at most N times when N &gt; 0),
 * {@code always}, {@code unless-stopped}. A container stopped by the user is never restarted.
 * Without a daemon that restarts with the host, {@code always} and {@code unless-stopped} act alike.
 */
public record RestartPolicy(String name, int maxRetries) {
    public static final RestartPolicy NO = new RestartPolicy("no", 0);

    public RestartPolicy {
        if (!name.equals("no") && !name.equals("on-failure") && !name.equals("always") && !name.equals("unless-stopped")) {
            throw new ContainerException("invalid restart policy '" + name + "' (no, on-failure[:N], always, unless-stopped)");
        }
        if (maxRetries < 0) throw new ContainerException("invalid restart policy '" + name + ":" + maxRetries + "': the count must not be negative");
        if (maxRetries > 0 && !name.equals("on-failure")) {
            throw new ContainerException("invalid restart policy '" + name + ":" + maxRetries + "': only on-failure takes a count");
        }
    }

    /** "no", "always", "unless-stopped", "on-failure" or "on-failure:N"; null or blank is "no". */
    public static RestartPolicy parse(String text) {
        if (text == null || text.isBlank()) return NO;
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 0) return new RestartPolicy(t, 0);
        String n = t.substring(colon + 1);
        if (!n.matches("[0-9]{1,9}")) throw new ContainerException("invalid restart policy '" + t + "': '" + n + "' is not a count");
        return new RestartPolicy(t.substring(0, colon), Integer.parseInt(n));
    }

    @Override
    public String toString() { return maxRetries > 0 ? name + ":" + maxRetries : name; }
}

package io.cgroovy.runtime;

import java.util.List;

/**
 * How a foreground container ended.
 *
 * @param exitCode   the process's exit status, 128+signal when it was killed
 * @param oomKilled  the kernel's OOM killer killed a process of the container
 * @param addresses  its IPv4 addresses, one per network, in the order it joined them
 */
public record RunResult(String id, String name, int exitCode, boolean oomKilled, List<String> addresses) {
    public RunResult(String id, String name, int exitCode, boolean oomKilled) {
        this(id, name, exitCode, oomKilled, List.of());
    }

    public RunResult {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }

    /** The container's address on its first network ("10.89.0.2"), or null with network none or host. */
    public String ip() { return addresses.isEmpty() ? null : addresses.get(0); }
}

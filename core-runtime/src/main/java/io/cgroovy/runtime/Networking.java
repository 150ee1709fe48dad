package io.cgroovy.runtime;

import io.cgroovy.runtime.net.NetworkSettings;
import io.cgroovy.runtime.net.PublishedPort;

import java.util.List;
import java.util.Map;

/**
 * A container's networking: {@code none} (its own namespace with only lo), {@code host} (the
 * host's namespace), or a list of networks it joins ("bridge" is the default network), each
 * with its aliases, plus the ports it publishes.
 */
public record Networking(Mode mode, List<Attachment> networks, List<PublishedPort> ports) {
    public enum Mode { NONE, HOST, NETWORKS }

    /** One network a container joins, with the extra names it answers to there. */
    public record Attachment(String network, List<String> aliases) {
        public Attachment {
            NetworkSettings.checkName(network);
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    public static final Networking NONE = new Networking(Mode.NONE, List.of(), List.of());
    public static final Networking HOST = new Networking(Mode.HOST, List.of(), List.of());

    public Networking {
        networks = networks == null ? List.of() : List.copyOf(networks);
        ports = ports == null ? List.of() : List.copyOf(ports);
        if (mode == Mode.NETWORKS && networks.isEmpty()) throw new ContainerException("no network given");
        if (mode != Mode.NETWORKS && !networks.isEmpty()) throw new ContainerException("network " + mode.name().toLowerCase() + " cannot be combined with other networks");
        if (mode != Mode.NETWORKS && !ports.isEmpty()) {
            throw new ContainerException("publish needs a bridge network (the container has network " + mode.name().toLowerCase() + ")");
        }
    }

    /** The default network, as {@code docker run} gives it. */
    public static Networking bridge(List<PublishedPort> ports) {
        return new Networking(Mode.NETWORKS, List.of(new Attachment(NetworkSettings.DEFAULT, List.of())), ports);
    }

    /** Networks by name (aliases per network name, may be empty). */
    public static Networking of(List<String> names, Map<String, List<String>> aliases, List<PublishedPort> ports) {
        return new Networking(Mode.NETWORKS, names.stream().map(n -> new Attachment(n, aliases.getOrDefault(n, List.of()))).toList(), ports);
    }
}

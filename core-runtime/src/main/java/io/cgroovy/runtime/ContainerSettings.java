package io.cgroovy.runtime;

import io.cgroovy.runtime.cgroup.Resources;

import java.util.List;
import java.util.Map;

/**
 * Everything a user set for one container, validated (the DSL fills it; nothing here
 * touches the kernel). Null / empty means "take the image's value or the default".
 *
 * @param image    image reference as the user typed it ("busybox", "alpine:3.20")
 * @param name     container name, or null for a generated one
 * @param command  the command (replaces the image's Cmd; Entrypoint is kept)
 * @param env      variables added to / overriding the image's Env
 * @param hostname hostname in the container's uts namespace (default: short id)
 * @param workdir  working directory (default: image WorkingDir or "/")
 * @param user     "uid[:gid]" or a name from the image's /etc/passwd (default: image User or root)
 * @param security capabilities, seccomp, read-only root, user namespace, ulimits (default: Docker's)
 * @param mounts   volumes, binds and tmpfs mounts, in the order they are mounted
 * @param keep     keep the container's filesystem after it ended (for diff, copy, commit) until
 *                 {@link Engine#removeContainer}; false removes everything at once (docker run --rm)
 * @param network  none (default: its own namespace with only lo), host, or networks to join and ports to publish
 * @param entrypoint replaces the image's Entrypoint (and then its Cmd is not used, as with
 *                 {@code docker run --entrypoint}); null: the image's, empty: none
 * @param labels   key/value metadata kept in the container's record (docker run --label)
 */
public record ContainerSettings(String image, String name, List<String> command, Map<String, String> env,
                                String hostname, String workdir, String user, Resources resources, Security security,
                                List<MountSpec> mounts, boolean keep, Networking network,
                                List<String> entrypoint, Map<String, String> labels) {
    public ContainerSettings(String image, String name, List<String> command, Map<String, String> env,
                             String hostname, String workdir, String user, Resources resources) {
        this(image, name, command, env, hostname, workdir, user, resources, Security.DEFAULT);
    }

    /** Without mounts, removed when it ends. */
    public ContainerSettings(String image, String name, List<String> command, Map<String, String> env,
                             String hostname, String workdir, String user, Resources resources, Security security) {
        this(image, name, command, env, hostname, workdir, user, resources, security, List.of(), false, null);
    }

    /** Network none. */
    public ContainerSettings(String image, String name, List<String> command, Map<String, String> env,
                             String hostname, String workdir, String user, Resources resources, Security security,
                             List<MountSpec> mounts, boolean keep) {
        this(image, name, command, env, hostname, workdir, user, resources, security, mounts, keep, null);
    }

    /** Without entrypoint or labels. */
    public ContainerSettings(String image, String name, List<String> command, Map<String, String> env,
                             String hostname, String workdir, String user, Resources resources, Security security,
                             List<MountSpec> mounts, boolean keep, Networking network) {
        this(image, name, command, env, hostname, workdir, user, resources, security, mounts, keep, network, null, null);
    }

    /** The same settings on other networks. */
    public ContainerSettings withNetwork(Networking n) {
        return new ContainerSettings(image, name, command, env, hostname, workdir, user, resources, security, mounts, keep, n,
                entrypoint, labels);
    }

    public ContainerSettings {
        security = security == null ? Security.DEFAULT : security;
        if (image == null || image.isBlank()) throw new IllegalArgumentException("no image given");
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        resources = resources == null ? Resources.NONE : resources;
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        network = network == null ? Networking.NONE : network;
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}

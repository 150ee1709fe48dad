package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.cgroup.ContainerCgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * A running container as the views need it ({@code Engine.running(ref)} gives it).
 *
 * @param id     the full container id
 * @param name   its name
 * @param dir    its directory {@code <root>/containers/<id>}
 * @param pid    the host pid of its first process
 * @param cgroup its cgroup
 * @param layers the image's unpacked layer directories, lowest first (empty when the image was removed since)
 */
public record Running(String id, String name, Path dir, long pid, ContainerCgroup cgroup, List<Path> layers) {}

package io.cgroovy.runtime;

import io.cgroovy.runtime.fs.ShiftedLayers;
import io.cgroovy.runtime.plan.PlanCompiler;
import io.cgroovy.runtime.spec.RuntimeSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The root filesystem of a container with a user namespace. The image's files are owned by uid 0 on
 * disk; the container's root must see them as its own. Where the kernel and the layers' filesystem
 * allow it, each layer is shown through an idmapped mount (podman's way); elsewhere (tmpfs before
 * Linux 6.3, for example) the engine uses copies of the layers with shifted owners (Docker's
 * userns-remap way), kept under {@code <root>/userns/}. The property {@code cgroovy.userns.layers}
 * ({@code idmap} or {@code copy}) forces one way.
 */
final class UsernsRootfs {
    private UsernsRootfs() {}

    /** Beside a container's upper dir: "HOSTID SIZE" of its user namespace (commit and cp shift owners by it). */
    static final String RECORD = "userns";

    /** Per filesystem (st_dev): whether it takes idmapped mounts. */
    private static final Map<Object, Boolean> IDMAP = new ConcurrentHashMap<>();

    /**
     * The rootfs to compile for {@code u}: the upper dir is given to the container's root, so that it owns
     * {@code /}; the /etc files and other bind sources in the container's own directory too.
     */
    static PlanCompiler.Rootfs prepare(Path stateRoot, Path executor, Security.UserNamespace u, RuntimeSpec spec, Path dir,
                                       Path rootfs, List<Path> layers, Path upper, Path work) {
        try {
            Files.writeString(dir.resolve(RECORD), u.hostId() + " " + u.size() + "\n");
            chown(upper, u.hostId());
            for (RuntimeSpec.Mount m : spec.mounts) {
                if ("bind".equals(m.type) && m.source != null && Path.of(m.source).startsWith(dir)) chown(Path.of(m.source), u.hostId());
            }
        } catch (IOException e) {
            throw new ContainerException("cannot give the container's files to uid " + u.hostId() + ": " + e.getMessage(), e);
        }
        if (layers.isEmpty() || idmapped(executor, layers.get(0), u)) return new PlanCompiler.Rootfs(rootfs, layers, upper, work, true);
        return new PlanCompiler.Rootfs(rootfs, ShiftedLayers.of(stateRoot.resolve("userns"), layers, u.hostId(), u.size()), upper, work, false);
    }

    /** True when layers like {@code layer} are shown through idmapped mounts (probed once per filesystem by the executor). */
    static boolean idmapped(Path executor, Path layer, Security.UserNamespace u) {
        String forced = System.getProperty("cgroovy.userns.layers", "");
        if (forced.equals("copy")) return false;
        if (forced.equals("idmap")) return true;
        Object dev;
        try {
            dev = Files.getAttribute(layer, "unix:dev");
        } catch (IOException e) {
            dev = layer;
        }
        return IDMAP.computeIfAbsent(dev, d -> probe(executor, layer, u));
    }

    private static boolean probe(Path executor, Path layer, Security.UserNamespace u) {
        String map = "0 " + u.hostId() + " " + u.size() + "\n";
        try {
            Process p = new ProcessBuilder(executor.toString(), "--probe-idmap", layer.toString(), map, map).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void chown(Path p, long id) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) id, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) id, LinkOption.NOFOLLOW_LINKS);
    }
}

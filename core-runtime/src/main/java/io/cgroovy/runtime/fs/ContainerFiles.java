package io.cgroovy.runtime.fs;

import io.cgroovy.image.ImageConfig;
import io.cgroovy.image.ImageRecord;
import io.cgroovy.image.LayerWriter;
import io.cgroovy.image.Snapshot;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerFilesystem;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.KeptContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docker diff}, {@code docker cp} both ways and {@code docker commit} of a container that
 * still exists: a detached one (created, running, paused or exited) or a kept foreground one.
 * A running one is frozen while it is read or written (see {@link ContainerFilesystem}); files
 * are copied through its own root then (so its volumes and tmpfs mounts are what is copied, as
 * with Docker), else through its upper dir over its image's layers.
 */
public final class ContainerFiles {
    private final Engine engine;

    public ContainerFiles(Engine engine) {
        this.engine = engine;
    }

    /** Added, changed and deleted paths against the image, sorted by path. */
    public List<Change> diff(String container) {
        try (ContainerFilesystem fs = engine.openFilesystem(container, true)) {
            KeptContainer c = fs.record();
            return UpperChanges.of(fs.upper(), lowerTopFirst(c), c.mounts()).changes();
        }
    }

    /** {@code docker cp local container:dest}; returns the container path written. */
    public String copyIn(String container, Path local, String dest) {
        try (ContainerFilesystem fs = engine.openFilesystem(container, true)) {
            int root = (int) fs.userns()[0]; // the container's root on the host (user namespace), else 0
            if (fs.liveRoot().isPresent()) return TreeCopy.copyIn(local, fs.liveRoot().get(), List.of(), dest, root, root);
            return TreeCopy.copyIn(local, fs.upper(), lowerTopFirst(fs.record()), dest, root, root);
        }
    }

    /** {@code docker cp container:src local}; returns the host path written. */
    public Path copyOut(String container, String src, Path local) {
        try (ContainerFilesystem fs = engine.openFilesystem(container, true)) {
            if (fs.liveRoot().isPresent()) return TreeCopy.copyOut(List.of(fs.liveRoot().get()), src, local, fs.kernelMounts());
            List<Path> all = new ArrayList<>();
            all.add(fs.upper());
            all.addAll(lowerTopFirst(fs.record()));
            return TreeCopy.copyOut(all, src, local);
        }
    }

    /** As {@link #commit(String, String, String, boolean)}, pausing a running container (Docker's default). */
    public ImageRecord commit(String container, String tag, String comment) {
        return commit(container, tag, comment, true);
    }

    /**
     * {@code docker commit}: the container's changes become one layer on its image, with the
     * container's command, entrypoint, environment, working directory and user as the new config.
     *
     * @param tag     name of the new image, or null for an untagged one
     * @param comment the history comment (docker commit -m), or null
     * @param pause   freeze a running container while its changes are read (docker commit --pause)
     */
    public ImageRecord commit(String container, String tag, String comment, boolean pause) {
        try (ContainerFilesystem fs = engine.openFilesystem(container, pause)) {
            KeptContainer c = fs.record();
            ImageConfig base = engine.images().config(c.imageId());
            ImageConfig.Runtime r = base.config == null ? new ImageConfig.Runtime() : base.config;
            if (c.entrypoint() != null) {
                r.entrypoint = c.entrypoint().isEmpty() ? null : new ArrayList<>(c.entrypoint());
                r.cmd = null; // docker run --entrypoint drops the image's Cmd
            }
            if (!c.command().isEmpty()) r.cmd = new ArrayList<>(c.command());
            if (!c.env().isEmpty()) {
                Map<String, String> env = new LinkedHashMap<>();
                if (r.env != null) {
                    for (String e : r.env) {
                        int eq = e.indexOf('=');
                        if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
                    }
                }
                new java.util.TreeMap<>(c.env()).forEach(env::put);
                List<String> out = new ArrayList<>();
                env.forEach((k, v) -> out.add(k + "=" + v));
                r.env = out;
            }
            if (c.workdir() != null && !c.workdir().isBlank()) r.workingDir = c.workdir();
            if (c.user() != null && !c.user().isBlank()) r.user = c.user();
            Path upper = fs.upper();
            UpperChanges changes = UpperChanges.of(upper, lowerTopFirst(c), c.mounts());
            Path tar = upper.resolveSibling("commit-" + java.util.UUID.randomUUID() + ".tar");
            try {
                long[] ns = fs.userns();
                // host ids of the user namespace's range back to the container's own; others (the engine's, root) kept
                LayerWriter.write(upper, changes::included, null, tar,
                        id -> Integer.toUnsignedLong(id) >= ns[0] && Integer.toUnsignedLong(id) - ns[0] < ns[1] ? (int) (Integer.toUnsignedLong(id) - ns[0]) : id);
                String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                List<String> argv = new ArrayList<>(c.entrypoint() == null ? List.of() : c.entrypoint());
                argv.addAll(c.command());
                String by = String.join(" ", argv);
                return engine.images().commit(c.imageId(), tar, r, created, by, comment,
                        tag == null ? List.of() : List.of(tag), false);
            } finally {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // the container's directory goes with rm
                }
            }
        }
    }

    private List<Path> lowerTopFirst(KeptContainer c) {
        Snapshot s;
        try {
            s = engine.images().snapshot(c.imageId());
        } catch (RuntimeException e) {
            throw new ContainerException("container " + c.name() + ": its image " + c.imageId() + " is gone (" + e.getMessage() + ")");
        }
        List<Path> l = new ArrayList<>(s.layers());
        Collections.reverse(l);
        return l;
    }
}

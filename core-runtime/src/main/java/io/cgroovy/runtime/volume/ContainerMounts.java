package io.cgroovy.runtime.volume;

import io.cgroovy.image.ImageConfig;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.MountSpec;
import io.cgroovy.runtime.spec.RuntimeSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a container's mount requests (and its image's VOLUME entries) into runtime-spec mounts:
 * named volumes are made on first use, each image VOLUME not covered by a user mount gets an
 * anonymous volume, binds must exist on the host. The names used are written into the container
 * directory so that volumes in use cannot be removed and anonymous ones go with the container.
 *
 * <p>Destinations are only checked here; the executor resolves them inside the rootfs one
 * component at a time and refuses symlinks, so an image with {@code /data -> /etc} cannot make
 * a mount land on the host's /etc.
 */
public final class ContainerMounts {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerMounts() {}

    /** As {@link #resolve(Volumes, List, ImageConfig, List, Path)} without the image's files: no volume is pre-filled. */
    public static List<RuntimeSpec.Mount> resolve(Volumes volumes, List<MountSpec> requested, ImageConfig image, Path containerDir) {
        return resolve(volumes, requested, image, List.of(), containerDir);
    }

    /**
     * Mounts for {@code spec}, in the order given (after the default ones); records volume use in
     * {@code containerDir}. An empty volume mounted where the image ({@code layers}, lowest first)
     * has a directory gets its contents, owner and mode first, as with Docker.
     */
    public static List<RuntimeSpec.Mount> resolve(Volumes volumes, List<MountSpec> requested, ImageConfig image, List<Path> layers,
                                                  Path containerDir) {
        List<RuntimeSpec.Mount> out = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        List<String> anonymous = new ArrayList<>();
        Set<String> destinations = new LinkedHashSet<>();
        for (MountSpec m : requested) {
            String dest = clean(m.destination());
            if (!destinations.add(dest)) throw new ContainerException("duplicate mount point " + dest);
        }
        Map<String, Object> imageVolumes = image == null || image.config == null ? null : image.config.volumes;
        List<MountSpec> all = new ArrayList<>();
        if (imageVolumes != null) {
            for (String v : new java.util.TreeSet<>(imageVolumes.keySet())) {
                String dest;
                try {
                    dest = clean(v);
                } catch (ContainerException e) {
                    throw new ContainerException("image VOLUME " + v + ": " + e.getMessage());
                }
                if (!destinations.contains(dest)) all.add(MountSpec.volume(null, dest, false));
            }
        }
        all.addAll(requested);
        try {
            for (MountSpec m : all) {
                String dest = clean(m.destination());
                List<String> ro = m.readOnly() ? List.of("ro") : List.of();
                switch (m.type()) {
                    case VOLUME -> {
                        String name = m.source();
                        if (name == null) {
                            name = HexFormat.of().formatHex(bytes());
                            anonymous.add(name);
                            write(containerDir.resolve(Volumes.ANONYMOUS_FILE), anonymous);
                        }
                        used.add(name);
                        write(containerDir.resolve(Volumes.USED_FILE), new ArrayList<>(used));
                        Path data = volumes.create(name);
                        VolumeFill.fromImage(name, data, layers, dest);
                        out.add(new RuntimeSpec.Mount(dest, "bind", data.toString(), concat(List.of("rbind", "rprivate"), ro)));
                    }
                    case BIND -> {
                        String src = m.source();
                        if (src == null || !src.startsWith("/")) throw new ContainerException("bind source '" + src + "' is not an absolute host path");
                        if (!Files.exists(Path.of(src))) throw new ContainerException("bind source path does not exist: " + src);
                        out.add(new RuntimeSpec.Mount(dest, "bind", src, concat(List.of("rbind", "rprivate"), ro)));
                    }
                    case TMPFS -> {
                        List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "mode=1777"));
                        if (m.size() != null) {
                            if (m.size() <= 0) throw new ContainerException("tmpfs " + dest + ": size must be > 0");
                            opts.add("size=" + m.size());
                        }
                        if (m.readOnly()) opts.add("ro");
                        out.add(new RuntimeSpec.Mount(dest, "tmpfs", "tmpfs", opts));
                    }
                }
            }
        } catch (IOException e) {
            throw new ContainerException("cannot record the volumes of " + containerDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Removes the anonymous volumes a container directory lists (the container is being removed). */
    public static void removeAnonymous(Volumes volumes, Path containerDir) {
        Path f = containerDir.resolve(Volumes.ANONYMOUS_FILE);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            for (String name : Files.readAllLines(f)) {
                if (Volumes.ANONYMOUS.matcher(name).matches()) volumes.removeQuietly(name);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void write(Path f, List<String> lines) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** Absolute, normalised; ".." refused. */
    static String clean(String path) {
        if (path == null || !path.startsWith("/")) throw new ContainerException("mount destination '" + path + "' is not an absolute path");
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) throw new ContainerException("mount destination '" + path + "' contains '..'");
            parts.add(c);
        }
        if (parts.isEmpty()) throw new ContainerException("cannot mount over the container's root");
        return "/" + String.join("/", parts);
    }
}

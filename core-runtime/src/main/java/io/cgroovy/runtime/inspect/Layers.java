package io.cgroovy.runtime.inspect;

import io.cgroovy.image.ImageLayer;
import io.cgroovy.image.ImageStore;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a container's root filesystem is made of, read from the overlay mount the kernel shows in its mountinfo:
 * the lower directories (image layers, lowest first, as the manifest lists them) with the digest, size and history
 * step the image store knows for each, and the upper directory (the container's own changes) with its size.
 *
 * @param lowers     the image layers, lowest first
 * @param upper      the upper directory on the host
 * @param upperBytes bytes of the regular files in it now
 */
public record Layers(List<Lower> lowers, Path upper, long upperBytes) {
    /**
     * One lower directory of the overlay.
     *
     * @param index     0 = the lowest
     * @param dir       the directory on the host
     * @param digest    the layer blob's digest in the image manifest, null when the store does not know this directory
     * @param size      the blob's size in bytes (-1 when unknown)
     * @param createdBy the history step that made the layer, null when the image does not say
     */
    public record Lower(int index, Path dir, String digest, long size, String createdBy) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            m.put("dir", dir.toString());
            m.put("digest", digest);
            m.put("size", size);
            m.put("createdBy", createdBy);
            return m;
        }
    }

    /** The layers of the running container {@code c}; digests and history from {@code store} (may be null). */
    public static Layers of(Running c, ImageStore store) {
        Mounts.Mount root = Mounts.of(c.pid()).stream().filter(m -> m.mountPoint().equals("/")).reduce((a, b) -> b)
                .orElseThrow(() -> new ContainerException("container " + c.name() + " has no root mount"));
        if (!root.fsType().equals("overlay")) throw new ContainerException("container " + c.name() + ": its root is " + root.fsType() + ", not an overlay");
        String lowerdir = option(root.superOptions(), "lowerdir");
        String upperdir = option(root.superOptions(), "upperdir");
        if (lowerdir == null || upperdir == null) throw new ContainerException("container " + c.name() + ": overlay options without lowerdir/upperdir: " + root.superOptions());
        // the executor mounts with lowerdirs relative to the layers' common parent (mount data is limited to a page)
        Path base = commonParent(c.layers());
        String[] given = lowerdir.split(":");
        List<Lower> lowers = new ArrayList<>();
        for (int i = given.length - 1; i >= 0; i--) { // overlay lists the topmost first
            Path p = Path.of(given[i]);
            Path dir = p.isAbsolute() ? p : base != null ? base.resolve(p).normalize()
                    : store != null ? store.root().resolve("layers").resolve(p.getFileName()) : p;
            Optional<ImageLayer> known = store == null ? Optional.empty() : store.layerByChainId(dir.getFileName().toString());
            lowers.add(new Lower(lowers.size(), dir, known.map(ImageLayer::digest).orElse(null), known.map(ImageLayer::size).orElse(-1L),
                    known.map(ImageLayer::createdBy).orElse(null)));
        }
        Path upper = Path.of(upperdir);
        return new Layers(List.copyOf(lowers), upper, bytesIn(upper));
    }

    private static String option(String opts, String key) {
        for (String o : opts.split(",")) if (o.startsWith(key + "=")) return o.substring(key.length() + 1);
        return null;
    }

    private static Path commonParent(List<Path> layers) {
        if (layers.isEmpty()) return null;
        Path base = layers.get(0).toAbsolutePath().normalize().getParent();
        for (Path l : layers) {
            Path a = l.toAbsolutePath().normalize();
            while (base != null && !a.startsWith(base)) base = base.getParent();
        }
        return base == null ? Path.of("/") : base;
    }

    /** Sum of regular file sizes below {@code dir} (du --apparent-size, without following links); 0 when it is gone. */
    static long bytesIn(Path dir) {
        long[] sum = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    if (a.isRegularFile()) sum[0] += a.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile: the container is running
                }
            });
        } catch (IOException e) {
            return sum[0];
        }
        return sum[0];
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lowers", lowers.stream().map(Lower::toMap).toList());
        m.put("upper", upper.toString());
        m.put("upperSize", upperBytes);
        return m;
    }

    /** Lines for a screen, none wider than {@link Explain#WIDTH}. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Lower l : lowers) {
            String what = l.digest() == null ? "(not in the image store) " + l.dir().getFileName() : shortDigest(l.digest());
            String size = l.size() < 0 ? "?" : Sizes.human(l.size());
            out.add(String.format("%d %s %8s  %s", l.index() + 1, what, size, l.createdBy() == null ? "" : oneLine(l.createdBy())));
        }
        out.add("upper " + Sizes.human(upperBytes) + "  " + shortUpper());
        return out;
    }

    /** ".../containers/<id 12>…/upper": the full path is in {@link #upper()}. */
    private String shortUpper() {
        Path c = upper.getParent();
        if (c == null || c.getParent() == null || !c.getParent().getFileName().toString().equals("containers")) return upper.toString();
        String id = c.getFileName().toString();
        return "…/containers/" + (id.length() > 12 ? id.substring(0, 12) + "…" : id) + "/" + upper.getFileName();
    }

    static String shortDigest(String d) {
        String hex = d.startsWith("sha256:") ? d.substring(7) : d;
        return (d.startsWith("sha256:") ? "sha256:" : "") + (hex.length() > 12 ? hex.substring(0, 12) : hex);
    }

    /** A history step on one line: Docker's "/bin/sh -c #(nop) " prefix dropped, whitespace squeezed. */
    static String oneLine(String createdBy) {
        return createdBy.replace("/bin/sh -c #(nop) ", "").replaceAll("\\s+", " ").trim();
    }

    @Override
    public String toString() {
        return Explain.block("rootfs overlay, lowest layer first", lines());
    }
}

package io.cgroovy.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Copies the images of an OCI image layout (a directory or a tar holding one) into the
 * content store, verifying every blob against its descriptor on the way.
 */
final class LayoutReader {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String CONTAINERD_NAME = "io.containerd.image.name";

    private final ArchiveSource src;
    private final BlobStore blobs;
    private final List<String> added;

    LayoutReader(ArchiveSource src, BlobStore blobs, List<String> added) {
        this.src = src;
        this.blobs = blobs;
        this.added = added;
    }

    static boolean isLayout(ArchiveSource src) {
        return src.exists("oci-layout") && src.exists("index.json");
    }

    /**
     * @param nameAs    names the images (see {@link ImageStore#importOciLayout}), or null
     * @param repoTags  for a docker save archive: its manifest.json RepoTags per config digest,
     *                  the only names such an archive gives (its ref.name is a bare tag like
     *                  "latest"); null for a plain layout, named from its annotations
     */
    List<Pending> read(String nameAs, Map<String, List<String>> repoTags) {
        if (!src.exists("oci-layout")) throw new ImageException(src.describe() + ": not an OCI image layout (no oci-layout file)");
        String layout = new String(src.readSmall("oci-layout"), java.nio.charset.StandardCharsets.UTF_8);
        if (!layout.contains("\"imageLayoutVersion\"")) throw new ImageException(src.describe() + ": oci-layout has no imageLayoutVersion");
        OciDocument index = Documents.index(src.readSmall("index.json"), null, src.describe() + "/index.json");
        if (nameAs != null && Reference.hasExplicitTag(nameAs) && index.manifests.size() > 1) {
            throw new ImageException(src.describe() + ": holds " + index.manifests.size() + " images; name them with a repository only, not '" + nameAs + "'");
        }
        List<Pending> out = new ArrayList<>();
        for (Descriptor top : Documents.forHost(index, src.describe() + "/index.json")) {
            Descriptor m = top;
            if (MediaTypes.INDEXES.contains(top.mediaType)) {
                byte[] ix = copyDocument(top, "index");
                m = Documents.pickPlatform(Documents.index(ix, top, "index " + top.digest), "index " + top.digest);
                m.checked("manifest");
            } else if (!MediaTypes.MANIFESTS.contains(top.mediaType)) {
                throw new ImageException(src.describe() + "/index.json: entry " + top.digest + " has unsupported mediaType " + top.mediaType);
            }
            List<String> tags = new ArrayList<>();
            String name = repoTags == null ? nameFor(top, nameAs) : null;
            if (name != null) tags.add(Reference.normaliseTag(name));
            Pending p = copyImage(m, tags);
            if (repoTags != null) {
                for (String t : repoTags.getOrDefault(p.image.id, List.of())) {
                    String n = Reference.normaliseTag(t);
                    if (!p.tags.contains(n)) p.tags.add(n);
                }
            }
            out.add(p);
        }
        return out;
    }

    /**
     * nameAs wins; otherwise containerd's full name, else ref.name read as a reference
     * ("busybox:1.36", or "t", which becomes t:latest); an entry without either stays untagged.
     */
    private static String nameFor(Descriptor top, String nameAs) {
        String refName = top.annotation(REF_NAME);
        if (nameAs != null) {
            if (Reference.hasExplicitTag(nameAs)) return nameAs;
            boolean plainTag = refName != null && refName.matches("[\\w][\\w.-]{0,127}");
            return nameAs + ":" + (plainTag ? refName : "latest");
        }
        String full = top.annotation(CONTAINERD_NAME);
        return full != null ? full : refName;
    }

    private Pending copyImage(Descriptor m, List<String> tags) {
        byte[] manifestBytes = copyDocument(m, "manifest");
        OciDocument manifest = Documents.manifest(manifestBytes, m);
        byte[] configBytes = copyDocument(manifest.config, "config");
        for (Descriptor l : manifest.layers) copyBlob(l);
        return Pending.of(m.digest, manifest, configBytes, tags);
    }

    /** Reads a small blob, checks size and digest, stores it; the bytes are then trusted. */
    private byte[] copyDocument(Descriptor d, String kind) {
        byte[] b = src.readSmall(blobName(d));
        if (b.length != d.size) throw new ImageException("blob " + d.digest + ": size mismatch (descriptor says " + d.size + " bytes, " + kind + " has " + b.length + ")");
        String actual = Digest.of(b);
        if (!actual.equals(d.digest)) throw new ImageException("blob " + d.digest + ": digest mismatch (" + kind + " content is " + actual + ")");
        if (blobs.put(new ByteArrayInputStream(b), d.digest, d.size)) added.add(d.digest);
        return b;
    }

    private void copyBlob(Descriptor d) {
        if (blobs.has(d.digest)) return;
        try (InputStream in = src.open(blobName(d))) {
            if (blobs.put(in, d.digest, d.size)) added.add(d.digest);
        } catch (IOException e) {
            throw new UncheckedIOException("read blob " + d.digest, e);
        }
    }

    private static String blobName(Descriptor d) {
        return "blobs/sha256/" + Digest.hex(d.digest);
    }
}

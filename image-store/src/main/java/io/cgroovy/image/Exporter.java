package io.cgroovy.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a stored image out: as a {@code docker save} archive (manifest.json, the config, one
 * uncompressed {@code <diff_id>/layer.tar} per layer, as Docker before 25 wrote it, which every
 * reader takes) or as an OCI image layout (blobs as stored, the tag in ref.name), a directory
 * or a tar. Written under a temp name beside {@code out} and renamed, so a failure leaves nothing.
 */
final class Exporter {
    private final BlobStore blobs;

    Exporter(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** @param name the full tag to record ("docker.io/library/busybox:latest"), or null */
    void export(StoredImage image, String name, Path out, String format) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) throw new ImageException("save: " + out + " already exists");
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new ImageException("save: no such directory: " + parent);
        Path tmp = AtomicFiles.tempSibling(out.toAbsolutePath());
        try {
            switch (format) {
                case "docker-archive", "docker" -> dockerArchive(image, name, tmp);
                case "oci", "oci-archive" -> {
                    if (format.equals("oci-archive") || out.getFileName().toString().endsWith(".tar")) ociTar(image, name, tmp);
                    else ociDir(image, name, tmp);
                }
                default -> throw new ImageException("save: unknown format '" + format + "' (docker-archive or oci)");
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new ImageException("save " + out + ": " + RegistryClient.describe(e), e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    private byte[] manifestBytes(StoredImage image) {
        return blobs.read(image.manifestDigest);
    }

    private Map<String, Object> indexJson(StoredImage image, String name) {
        byte[] m = manifestBytes(image);
        OciDocument doc = Json.parse(m, OciDocument.class, "manifest " + image.manifestDigest);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mediaType", doc.mediaType != null ? doc.mediaType : MediaTypes.OCI_MANIFEST);
        entry.put("digest", image.manifestDigest);
        entry.put("size", m.length);
        if (name != null) {
            Reference r = Reference.parse(name);
            entry.put("annotations", Map.of(LayoutReader.REF_NAME, r.tag(), LayoutReader.CONTAINERD_NAME, r.full()));
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_LAYOUT_INDEX);
        index.put("manifests", List.of(entry));
        return index;
    }

    private void ociDir(StoredImage image, String name, Path dir) throws IOException {
        Path b = Files.createDirectories(dir.resolve("blobs/sha256"));
        for (String d : image.blobs) {
            Path to = b.resolve(Digest.hex(d));
            if (!Files.exists(to)) Files.copy(blobs.path(d), to);
        }
        Files.write(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        Files.write(dir.resolve("index.json"), Json.write(indexJson(image, name)));
    }

    private void ociTar(StoredImage image, String name, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); TarArchiveOutputStream tar = tar(os)) {
            put(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
            put(tar, "index.json", Json.write(indexJson(image, name)));
            dir(tar, "blobs/");
            dir(tar, "blobs/sha256/");
            for (String d : new java.util.LinkedHashSet<>(image.blobs)) putFile(tar, "blobs/sha256/" + Digest.hex(d), blobs.path(d));
        }
    }

    private void dockerArchive(StoredImage image, String name, Path file) throws IOException {
        byte[] config = blobs.read(image.id);
        String configName = Digest.hex(image.id) + ".json";
        Path scratch = Files.createDirectory(file.resolveSibling(file.getFileName() + ".layers"));
        try (OutputStream os = Files.newOutputStream(file); TarArchiveOutputStream tar = tar(os)) {
            List<String> layerNames = new ArrayList<>();
            for (int i = 0; i < image.layers.size(); i++) {
                String diffId = image.diffIds.get(i);
                String dirName = Digest.hex(diffId);
                String entry = dirName + "/layer.tar";
                if (!layerNames.contains(entry)) {
                    Path plain = uncompressed(image.layers.get(i), diffId, scratch);
                    dir(tar, dirName + "/");
                    putFile(tar, entry, plain);
                    put(tar, dirName + "/VERSION", "1.0".getBytes());
                    if (!plain.equals(blobs.path(image.layers.get(i)))) Files.delete(plain);
                }
                layerNames.add(entry);
            }
            put(tar, configName, config);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Config", configName);
            List<String> repoTags = new ArrayList<>();
            if (name != null) repoTags.add(Reference.display(name));
            m.put("RepoTags", repoTags.isEmpty() ? null : repoTags);
            m.put("Layers", layerNames);
            put(tar, "manifest.json", Json.write(List.of(m)));
            if (name != null) {
                Reference r = Reference.parse(name);
                String top = Digest.hex(image.diffIds.get(image.diffIds.size() - 1));
                put(tar, "repositories", Json.write(Map.of(Reference.display(r.name()), Map.of(r.tag(), top))));
            }
        } finally {
            AtomicFiles.deleteQuietly(scratch);
        }
    }

    /** The layer as a plain tar: the blob itself when it is not compressed, else a checked temp copy. */
    private Path uncompressed(String layer, String diffId, Path scratch) throws IOException {
        Path blob = blobs.path(layer);
        if (layer.equals(diffId)) return blob;
        Path out = scratch.resolve(Digest.hex(diffId));
        MessageDigest md = Digest.sha256();
        try (InputStream raw = Files.newInputStream(blob);
             InputStream plain = new DigestInputStream(Decompress.open(raw, layer), md);
             OutputStream os = Files.newOutputStream(out)) {
            plain.transferTo(os);
        }
        String actual = Digest.of(md);
        if (!actual.equals(diffId)) throw new ImageException("layer " + layer + ": diff_id mismatch (config says " + diffId + ", content is " + actual + ")");
        return out;
    }

    private static TarArchiveOutputStream tar(OutputStream os) {
        TarArchiveOutputStream t = new TarArchiveOutputStream(new java.io.BufferedOutputStream(os, 256 * 1024));
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return t;
    }

    private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void putFile(TarArchiveOutputStream tar, String name, Path file) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(Files.size(file));
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(tar);
        } catch (UncheckedIOException x) {
            throw x.getCause();
        }
        tar.closeArchiveEntry();
    }
}

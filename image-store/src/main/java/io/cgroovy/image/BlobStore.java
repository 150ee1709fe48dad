package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The content store {@code blobs/sha256/<hex>} (OCI image-layout form). A blob only gets its
 * final name after its digest and size were checked, so a blob file that exists is correct.
 */
final class BlobStore {
    /** Manifests, indexes and configs are small; this bounds what a hostile one can make us hold. */
    static final int MAX_DOCUMENT = 4 * 1024 * 1024;

    private final Path dir;

    BlobStore(Path root) {
        this.dir = root.resolve("blobs").resolve("sha256");
    }

    Path dir() {
        return dir;
    }

    Path path(String digest) {
        return dir.resolve(Digest.hex(digest));
    }

    boolean has(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Copies a blob in, checking digest and size while streaming. Returns true when it was new,
     * so a failing import can take back exactly what it added.
     */
    boolean put(InputStream in, String digest, long size) {
        Digest.check(digest, "blob");
        if (size < 0) throw new ImageException("blob " + digest + ": negative size " + size);
        if (has(digest)) return false;
        Path tmp = AtomicFiles.tempSibling(path(digest));
        try {
            MessageDigest md = Digest.sha256();
            // stop reading as soon as the blob is longer than declared: a hostile source could be endless
            long n = copy(in, tmp, md, size, () -> new ImageException("blob " + digest + ": size mismatch (more than the declared " + size + " bytes)"));
            if (n != size) throw new ImageException("blob " + digest + ": size mismatch (declared " + size + " bytes, got " + n + ")");
            String actual = Digest.of(md);
            if (!actual.equals(digest)) throw new ImageException("blob " + digest + ": digest mismatch (content is " + actual + ")");
            AtomicFiles.moveIntoPlace(tmp, path(digest));
            return true;
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new UncheckedIOException("write blob " + digest, e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Gives a verified temp file (a sibling made by {@link AtomicFiles#tempSibling}) its blob name;
     * false when the blob was there already (the temp file is then removed).
     */
    boolean adopt(Path tmp, String digest) throws IOException {
        if (has(digest)) {
            Files.deleteIfExists(tmp);
            return false;
        }
        AtomicFiles.moveIntoPlace(tmp, path(digest));
        return true;
    }

    /** Stores a document this store made itself (a manifest or config); returns its digest. */
    String putBytes(byte[] data, List<String> added) {
        String digest = Digest.of(data);
        if (put(new java.io.ByteArrayInputStream(data), digest, data.length)) added.add(digest);
        return digest;
    }

    byte[] read(String digest) {
        Path p = path(digest);
        try {
            long size = Files.size(p);
            if (size > MAX_DOCUMENT) throw new ImageException("blob " + digest + ": too large for a manifest or config (" + size + " bytes)");
            return Files.readAllBytes(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageException("blob " + digest + ": missing from the store " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException("read blob " + digest, e);
        }
    }

    long size(String digest) {
        try {
            return Files.size(path(digest));
        } catch (IOException e) {
            return 0;
        }
    }

    void delete(String digest) {
        try {
            Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("remove blob " + digest, e);
        }
    }

    void deleteAll(List<String> digests) {
        for (String d : new ArrayList<>(digests)) {
            try {
                delete(d);
            } catch (UncheckedIOException ignored) {
                // rollback is best effort; an unreferenced blob is only wasted space
            }
        }
    }

    /**
     * Copies in a blob whose digest nobody told us (a docker save layer): it is named by what
     * was read. The caller checks the result against the config's diff_ids.
     */
    Descriptor putUnnamed(InputStream in, List<String> added) {
        Path tmp = AtomicFiles.tempSibling(dir.resolve("unnamed"));
        try {
            MessageDigest md = Digest.sha256();
            long n = copy(in, tmp, md, Long.MAX_VALUE, null);
            String digest = Digest.of(md);
            if (has(digest)) {
                Files.delete(tmp);
            } else {
                AtomicFiles.moveIntoPlace(tmp, path(digest));
                added.add(digest);
            }
            return new Descriptor(null, digest, n);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new UncheckedIOException("write blob", e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Copies {@code in} into the new file {@code tmp}, fsynced, feeding {@code md} on the way; returns the byte
     * count. More than {@code max} bytes throws what {@code tooLong} makes, as soon as they are read.
     */
    private static long copy(InputStream in, Path tmp, MessageDigest md, long max, java.util.function.Supplier<ImageException> tooLong)
            throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(ch)) {
            byte[] buf = new byte[64 * 1024];
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
                if (n > max) throw tooLong.get();
                md.update(buf, 0, r);
                out.write(buf, 0, r);
            }
            out.flush();
            ch.force(true);
        }
        return n;
    }

    /** True when the stored blob starts with the gzip magic. */
    boolean isGzip(String digest) {
        try (InputStream in = Files.newInputStream(path(digest))) {
            byte[] m = in.readNBytes(2);
            return m.length == 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b;
        } catch (IOException e) {
            throw new UncheckedIOException("read blob " + digest, e);
        }
    }
}

package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Downloads one blob into a temp file of the content store, hashing while it streams. A
 * connection that drops mid-blob is resumed with {@code Range: bytes=N-} (from the start again
 * when the registry ignores the range); the blob gets its final name only when size and digest
 * match, so a lying registry leaves nothing behind.
 */
final class BlobFetcher {
    private final RegistryClient client;
    private final BlobStore blobs;
    private final int retries;

    BlobFetcher(RegistryClient client, BlobStore blobs, int retries) {
        this.client = client;
        this.blobs = blobs;
        this.retries = retries;
    }

    /**
     * Fetches {@code d} from {@code repo} into the store; true when it was new.
     *
     * @param kind     "layer" or "config", for messages
     * @param progress told the bytes received so far (may go back to 0 on a restart)
     * @param retrying told before each resume
     */
    boolean fetch(String repo, Descriptor d, String kind, LongConsumer progress, Runnable retrying) {
        return fetch(repo, d, kind, progress, retrying, new GrowingBlob());
    }

    /** As above, telling {@code growing} each step, so the blob can be read while it arrives. */
    boolean fetch(String repo, Descriptor d, String kind, LongConsumer progress, Runnable retrying, GrowingBlob growing) {
        boolean verified = false;
        try {
            boolean added = fetchInto(repo, d, kind, progress, retrying, growing);
            verified = true;
            return added;
        } finally {
            growing.finished(verified);
        }
    }

    private boolean fetchInto(String repo, Descriptor d, String kind, LongConsumer progress, Runnable retrying, GrowingBlob growing) {
        if (blobs.has(d.digest)) return false;
        Path tmp = AtomicFiles.tempSibling(blobs.path(d.digest));
        String what = kind + " " + d.digest;
        try {
            MessageDigest md = Digest.sha256();
            long have = 0;
            int failures = 0;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                growing.created(tmp);
                while (have < d.size || d.size == 0) {
                    var headers = have > 0 ? RegistryClient.headers("Range", "bytes=" + have + "-") : RegistryClient.headers();
                    HttpResponse<InputStream> r = client.send("GET", "/v2/" + repo + "/blobs/" + d.digest, headers, null,
                            HttpResponse.BodyHandlers.ofInputStream(), List.of(RegistryClient.pullScope(repo)), true);
                    int s = r.statusCode();
                    if (s == 206 && have > 0) {
                        String range = r.headers().firstValue("Content-Range").orElse("");
                        if (!range.startsWith("bytes " + have + "-")) {
                            close(r);
                            throw new ImageException(what + ": the registry answered the resume at byte " + have + " with range '" + range + "'");
                        }
                    } else if (s == 200) {
                        if (have > 0) { // the registry ignored Range: take it from the start
                            growing.restarted();
                            ch.truncate(0);
                            ch.position(0);
                            md.reset();
                            have = 0;
                            progress.accept(0);
                        }
                    } else {
                        String body = readSmall(r);
                        throw new ImageException(client.failure("pull " + what, s, body));
                    }
                    try (InputStream in = r.body()) {
                        byte[] buf = new byte[256 * 1024];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            if (have + n > d.size) {
                                throw new ImageException(what + ": the registry sent more than the " + d.size + " bytes the manifest declares (nothing stored)");
                            }
                            md.update(buf, 0, n);
                            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                            while (bb.hasRemaining()) ch.write(bb);
                            have += n;
                            growing.grew(have);
                            progress.accept(have);
                        }
                    } catch (IOException e) {
                        if (++failures > retries) {
                            throw new ImageException(what + ": download failed after " + failures + " attempts at byte " + have + " of " + d.size + ": " + RegistryClient.describe(e));
                        }
                        retrying.run();
                        client.pause(failures, null);
                        continue;
                    }
                    if (have < d.size) { // a clean end of stream before the end of the blob: a proxy cut it
                        if (++failures > retries) throw new ImageException(what + ": the registry sent only " + have + " of " + d.size + " bytes");
                        retrying.run();
                        client.pause(failures, null);
                        continue;
                    }
                    if (d.size == 0) break;
                }
                ch.force(true);
            }
            String actual = Digest.of(md);
            if (!actual.equals(d.digest)) {
                throw new ImageException(what + ": digest mismatch, the registry sent content with digest " + actual + " (nothing stored)");
            }
            return blobs.adopt(tmp, d.digest);
        } catch (IOException e) {
            throw new ImageException(what + ": cannot write to the store: " + RegistryClient.describe(e), e);
        } finally {
            AtomicFiles.deleteQuietly(tmp); // gone already when adopted
        }
    }

    /** A small blob (config) fetched into memory and verified; also stored. */
    byte[] fetchSmall(String repo, Descriptor d, String kind) {
        if (d.size > BlobStore.MAX_DOCUMENT) throw new ImageException(kind + " " + d.digest + ": too large (" + d.size + " bytes)");
        fetch(repo, d, kind, n -> { }, () -> { });
        return blobs.read(d.digest);
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // the connection is dropped then
        }
    }

    static String readSmall(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

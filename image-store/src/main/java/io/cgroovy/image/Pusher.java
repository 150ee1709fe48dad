package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * {@code docker push}: for each blob of the image (config and layers, in parallel) the registry
 * lacks, a cross-repository mount when the image is known to be in another repository of the
 * same registry, else an upload (one PUT, or PATCH chunks and a closing PUT); then the manifest,
 * byte for byte as stored, so its digest stays the same.
 */
final class Pusher {
    private final BlobStore blobs;
    private final RegistryOptions options;

    Pusher(BlobStore blobs, RegistryOptions options) {
        this.blobs = blobs;
        this.options = options;
    }

    String push(String userRef, Reference ref, StoredImage image) {
        RegistryClient client = new RegistryClient(ref.domain(), options);
        String repo = ref.repository();
        byte[] manifestBytes = blobs.read(image.manifestDigest);
        OciDocument m = Json.parse(manifestBytes, OciDocument.class, "manifest " + image.manifestDigest);
        String mediaType = m.mediaType != null ? m.mediaType : MediaTypes.OCI_MANIFEST;
        List<String> mountFrom = new ArrayList<>();
        for (String rd : image.repoDigests) {
            Reference src = Reference.parse(rd);
            if (src.domain().equals(ref.domain()) && !src.repository().equals(repo) && !mountFrom.contains(src.repository())) {
                mountFrom.add(src.repository());
            }
        }
        Progress progress = new Progress(userRef, options.listener());
        List<Descriptor> all = new ArrayList<>();
        all.add(m.config);
        all.addAll(m.layers);
        for (Descriptor d : all) progress.add(d.digest, d.size);
        progress.image(ProgressEvent.State.RESOLVING);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallel(), all.size()), r -> {
            Thread t = new Thread(r, "cgroovy-push");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor d : all) {
                progress.layer(d.digest, ProgressEvent.State.WAITING, 0);
                futures.add(pool.submit(() -> {
                    pushBlob(client, repo, d, mountFrom, progress);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    throw e.getCause() instanceof ImageException ie ? ie : new ImageException(Progress.oneLine(e.getCause()), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        String tag = ref.tag() != null ? ref.tag() : "latest";
        HttpResponse<String> r = client.send("PUT", "/v2/" + repo + "/manifests/" + tag, RegistryClient.headers("Content-Type", mediaType),
                () -> HttpRequest.BodyPublishers.ofByteArray(manifestBytes), HttpResponse.BodyHandlers.ofString(),
                List.of(RegistryClient.pushScope(repo)), true);
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new ImageException(client.failure("push " + Reference.display(ref.full()) + ": manifest", r.statusCode(), r.body()));
        }
        String digest = Digest.of(manifestBytes);
        String said = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!said.equals(digest)) throw new ImageException("push " + Reference.display(ref.full()) + ": the registry stored the manifest as " + said + ", not " + digest);
        progress.image(ProgressEvent.State.COMPLETE);
        return digest;
    }

    private void pushBlob(RegistryClient client, String repo, Descriptor d, List<String> mountFrom, Progress progress) {
        List<String> scopes = List.of(RegistryClient.pushScope(repo));
        HttpResponse<Void> head = client.send("HEAD", "/v2/" + repo + "/blobs/" + d.digest, RegistryClient.headers(), null,
                HttpResponse.BodyHandlers.discarding(), scopes, true);
        if (head.statusCode() == 200) {
            progress.layer(d.digest, ProgressEvent.State.EXISTS, d.size);
            return;
        }
        String location = null;
        for (String from : mountFrom) {
            List<String> both = List.of(RegistryClient.pushScope(repo), RegistryClient.pullScope(from));
            HttpResponse<String> r = client.send("POST", "/v2/" + repo + "/blobs/uploads/?mount=" + d.digest + "&from=" + from,
                    RegistryClient.headers(), null, HttpResponse.BodyHandlers.ofString(), both, true);
            if (r.statusCode() == 201) {
                progress.layer(d.digest, ProgressEvent.State.MOUNTED, d.size);
                return;
            }
            if (r.statusCode() == 202) {
                location = r.headers().firstValue("Location").orElse(null);
                break; // the registry opened an upload instead: use it
            }
        }
        if (location == null) {
            HttpResponse<String> r = client.send("POST", "/v2/" + repo + "/blobs/uploads/", RegistryClient.headers(), null,
                    HttpResponse.BodyHandlers.ofString(), scopes, true);
            if (r.statusCode() != 202) throw new ImageException(client.failure("push blob " + d.digest + ": start upload", r.statusCode(), r.body()));
            location = r.headers().firstValue("Location").orElseThrow(() -> new ImageException("push blob " + d.digest + ": the registry gave no upload Location"));
        }
        Path file = blobs.path(d.digest);
        progress.layer(d.digest, ProgressEvent.State.UPLOADING, 0);
        LongConsumer sent = n -> progress.layer(d.digest, ProgressEvent.State.UPLOADING, n);
        long chunk = options.chunkSize();
        if (chunk <= 0 || d.size <= chunk) {
            putFinal(client, scopes, location, d, file, 0, d.size, sent);
        } else {
            long off = 0;
            while (off < d.size) {
                long len = Math.min(chunk, d.size - off);
                long start = off;
                HttpResponse<String> r = client.send("PATCH", absolute(client, location),
                        RegistryClient.headers("Content-Type", "application/octet-stream", "Content-Range", start + "-" + (start + len - 1)),
                        () -> body(file, start, len, sent), HttpResponse.BodyHandlers.ofString(), scopes, false);
                if (r.statusCode() != 202) throw new ImageException(client.failure("push blob " + d.digest + ": chunk at " + start, r.statusCode(), r.body()));
                location = r.headers().firstValue("Location").orElse(location);
                off += len;
            }
            putFinal(client, scopes, location, d, file, d.size, 0, sent);
        }
        progress.layer(d.digest, ProgressEvent.State.DONE, d.size);
    }

    /** The closing PUT ?digest=..., carrying the bytes from {@code off} (all of them for a monolithic upload, none after chunks). */
    private void putFinal(RegistryClient client, List<String> scopes, String location, Descriptor d, Path file, long off, long len, LongConsumer sent) {
        String url = absolute(client, location);
        url += (url.contains("?") ? "&" : "?") + "digest=" + d.digest;
        HttpResponse<String> r = client.send("PUT", url, RegistryClient.headers("Content-Type", "application/octet-stream"),
                () -> len == 0 ? HttpRequest.BodyPublishers.noBody() : body(file, off, len, sent),
                HttpResponse.BodyHandlers.ofString(), scopes, false);
        if (r.statusCode() != 201) throw new ImageException(client.failure("push blob " + d.digest, r.statusCode(), r.body()));
    }

    private static String absolute(RegistryClient client, String location) {
        URI u = URI.create(location);
        return u.isAbsolute() ? location : client.uri(location).toString();
    }

    /** A part of a blob file as a request body of known length, reporting bytes as they are read. */
    private static HttpRequest.BodyPublisher body(Path file, long off, long len, LongConsumer sent) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ch.position(off);
                InputStream raw = Channels.newInputStream(ch);
                return new InputStream() {
                    long left = len;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int o, int n) throws IOException {
                        if (left <= 0) return -1;
                        int r = raw.read(b, o, (int) Math.min(n, left));
                        if (r > 0) {
                            left -= r;
                            sent.accept(off + len - left);
                        }
                        return r;
                    }

                    @Override
                    public void close() throws IOException {
                        raw.close();
                    }
                };
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("read blob " + file, e);
            }
        }), len);
    }
}

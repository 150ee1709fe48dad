package io.cgroovy.image;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code docker pull}: resolves a reference to a manifest (choosing a platform from a manifest
 * list or index), then fetches the config and the layers (in parallel; blobs the store has are
 * skipped) and unpacks each layer as soon as it is in. Runs under the store lock; the caller
 * writes the record, or sweeps what was fetched when this fails.
 */
final class Puller {
    static final String ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST,
            MediaTypes.OCI_LAYOUT_INDEX, MediaTypes.DOCKER_LIST);

    private final BlobStore blobs;
    private final LayerUnpacker unpacker;
    private final Path layersDir;
    private final RegistryOptions options;

    Puller(BlobStore blobs, LayerUnpacker unpacker, Path layersDir, RegistryOptions options) {
        this.blobs = blobs;
        this.unpacker = unpacker;
        this.layersDir = layersDir;
        this.options = options;
    }

    /** A manifest as the registry sent it: bytes (digest verified), mediaType, digest. */
    record Fetched(byte[] bytes, String mediaType, String digest) {}

    Pending pull(String userRef, Reference ref, List<String> added) {
        RegistryClient client = new RegistryClient(ref.domain(), options);
        Progress progress = new Progress(userRef, options.listener());
        progress.image(ProgressEvent.State.RESOLVING);
        String repo = ref.repository();
        Fetched top = fetchManifest(client, ref, repo, ref.manifestRef(), ref.digest());
        Fetched chosen = top;
        if (isIndex(top)) {
            Descriptor asked = new Descriptor(top.mediaType, top.digest, top.bytes.length);
            OciDocument index = Documents.index(top.bytes, asked, "index " + top.digest + " of " + ref.full());
            Descriptor m = choose(index, ref);
            chosen = fetchManifest(client, ref, repo, m.digest, m.digest);
            if (isIndex(chosen)) throw new ImageException(ref.full() + ": the " + platform() + " entry of the index is another index");
        }
        Descriptor asked = new Descriptor(chosen.mediaType, chosen.digest, chosen.bytes.length);
        OciDocument manifest = Documents.manifest(chosen.bytes, asked);
        BlobFetcher fetcher = new BlobFetcher(client, blobs, options.retries());
        List<String> addedSync = Collections.synchronizedList(added);
        blobs.putBytes(chosen.bytes, addedSync);
        if (fetcher.fetch(repo, manifest.config, "config", n -> { }, () -> { })) addedSync.add(manifest.config.digest);
        byte[] configBytes = blobs.read(manifest.config.digest);
        List<String> tags = new ArrayList<>();
        if (ref.digest() == null) tags.add(ref.full());
        Pending p = Pending.of(chosen.digest, manifest, configBytes, tags);
        checkPlatform(configBytes, ref);
        p.image.repoDigests.add(ref.name() + "@" + top.digest);
        fetchLayers(fetcher, repo, manifest.layers, p.image, progress, addedSync);
        progress.image(ProgressEvent.State.COMPLETE);
        return p;
    }

    private void fetchLayers(BlobFetcher fetcher, String repo, List<Descriptor> layers, StoredImage image, Progress progress, List<String> added) {
        for (Descriptor l : layers) progress.add(l.digest, l.size);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(options.parallel(), layers.size())), r -> {
            Thread t = new Thread(r, "cgroovy-pull");
            t.setDaemon(true);
            return t;
        });
        ExecutorService unpacking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cgroovy-unpack");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                int n = i;
                Descriptor l = layers.get(i);
                progress.layer(l.digest, ProgressEvent.State.WAITING, 0);
                futures.add(pool.submit(() -> {
                    Path dir = layersDir.resolve(Digest.hex(image.chainIds.get(n)));
                    boolean unpack = options.unpack() && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
                    Future<?> streamed = null;
                    if (blobs.has(l.digest)) {
                        progress.layer(l.digest, ProgressEvent.State.EXISTS, l.size);
                    } else {
                        progress.layer(l.digest, ProgressEvent.State.DOWNLOADING, 0);
                        GrowingBlob growing = new GrowingBlob();
                        // unpacked while it arrives, on a thread of its own; put in place only once the blob is verified
                        if (unpack) streamed = unpacking.submit(() -> unpacker.unpack(growing::reader, l.digest, image.diffIds.get(n), dir));
                        try {
                            if (fetcher.fetch(repo, l, "layer", got -> progress.layer(l.digest, ProgressEvent.State.DOWNLOADING, got),
                                    () -> progress.layer(l.digest, ProgressEvent.State.RETRYING, -1), growing)) {
                                added.add(l.digest);
                            }
                        } catch (RuntimeException | Error e) {
                            // the download's error is the one to tell (the unpack only read bytes that were not the blob)
                            if (streamed != null) awaitQuietly(streamed);
                            throw e;
                        }
                        if (streamed != null) {
                            // the download is in; what is left is the unpack's tail (as docker shows "Extracting" after "Download complete")
                            progress.layer(l.digest, ProgressEvent.State.EXTRACTING, l.size);
                            if (!unpackedWhileArriving(streamed)) streamed = null;
                        }
                    }
                    if (unpack && streamed == null) {
                        progress.layer(l.digest, ProgressEvent.State.EXTRACTING, l.size);
                        unpacker.unpack(blobs.path(l.digest), l.digest, image.diffIds.get(n), dir);
                    }
                    progress.layer(l.digest, ProgressEvent.State.DONE, l.size);
                    return null;
                }));
            }
            ImageException first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof ImageException ie ? ie
                                : new ImageException(Progress.oneLine(e.getCause()), e.getCause());
                        pool.shutdownNow(); // the pull has failed: stop the other transfers
                    }
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted");
                }
            }
            if (first != null) throw first;
        } finally {
            pool.shutdownNow();
            unpacking.shutdownNow();
        }
    }

    /** Waits for an unpack that must end (its source failed): its temp dir is gone after this. */
    private static void awaitQuietly(Future<?> streamed) {
        try {
            streamed.get();
        } catch (ExecutionException e) {
            // expected: it read a failed download
        } catch (InterruptedException e) {
            streamed.cancel(true);
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the unpack that read a verified layer as it arrived. False when it gave up because
     * the download started over (then the stored blob is unpacked); its error otherwise.
     */
    private static boolean unpackedWhileArriving(Future<?> streamed) {
        try {
            streamed.get();
            return true;
        } catch (ExecutionException e) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof GrowingBlob.Abandoned) return false;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new ImageException(Progress.oneLine(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            streamed.cancel(true);
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        }
    }

    private Fetched fetchManifest(RegistryClient client, Reference ref, String repo, String tagOrDigest, String expectDigest) {
        HttpResponse<InputStream> r = client.send("GET", "/v2/" + repo + "/manifests/" + tagOrDigest,
                RegistryClient.headers("Accept", ACCEPT), null, HttpResponse.BodyHandlers.ofInputStream(),
                List.of(RegistryClient.pullScope(repo)), true);
        String shown = ref.name() + (tagOrDigest.startsWith("sha256:") ? "@" : ":") + tagOrDigest;
        if (r.statusCode() != 200) {
            throw new ImageException(client.failure("pull " + Reference.display(shown), r.statusCode(), BlobFetcher.readSmall(r)));
        }
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes(BlobStore.MAX_DOCUMENT + 1);
        } catch (java.io.IOException e) {
            throw new ImageException("pull " + Reference.display(shown) + ": reading the manifest failed: " + RegistryClient.describe(e));
        }
        if (bytes.length > BlobStore.MAX_DOCUMENT) throw new ImageException("manifest of " + Reference.display(shown) + " is too large");
        String digest = Digest.of(bytes);
        if (expectDigest != null && !expectDigest.equals(digest)) {
            throw new ImageException("manifest " + expectDigest + ": digest mismatch, the registry sent content with digest " + digest + " (nothing stored)");
        }
        String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
        OciDocument doc = Json.parse(bytes, OciDocument.class, "manifest of " + Reference.display(shown));
        if (doc.mediaType != null) type = doc.mediaType;
        else if (!MediaTypes.MANIFESTS.contains(type) && !MediaTypes.INDEXES.contains(type)) {
            type = doc.manifests != null ? MediaTypes.OCI_LAYOUT_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (!MediaTypes.MANIFESTS.contains(type) && !MediaTypes.INDEXES.contains(type)) {
            throw new ImageException("pull " + Reference.display(shown) + ": unsupported manifest type " + type
                    + (type.contains("v1") && type.contains("docker") ? " (Docker schema 1 images are not supported)" : ""));
        }
        return new Fetched(bytes, type, digest);
    }

    private static boolean isIndex(Fetched f) {
        return MediaTypes.INDEXES.contains(f.mediaType);
    }

    private Platform platform() {
        return options.platform() != null ? Platform.parse(options.platform()) : Platform.host();
    }

    private Descriptor choose(OciDocument index, Reference ref) {
        Platform want = platform();
        Descriptor best = null;
        for (Descriptor d : index.manifests) {
            if (!MediaTypes.MANIFESTS.contains(d.mediaType) || !want.matches(d.platform)) continue;
            // without a variant asked for, the first entry of the architecture wins, as in containerd's matcher order
            if (best == null) best = d;
        }
        if (best == null) {
            List<String> offered = new ArrayList<>();
            for (Descriptor d : index.manifests) {
                if (d.platform != null) offered.add(d.platform.os + "/" + d.platform.architecture + (d.platform.variant != null ? "/" + d.platform.variant : ""));
            }
            throw new ImageException(Reference.display(ref.full()) + ": no " + want + " image in the manifest list (it has: "
                    + (offered.isEmpty() ? "none with a platform" : String.join(", ", offered)) + ")");
        }
        return best;
    }

    /** A single-platform image for another architecture is refused when the user asked for a platform. */
    private void checkPlatform(byte[] configBytes, Reference ref) {
        if (options.platform() == null) return;
        ImageConfig c = Json.parse(configBytes, ImageConfig.class, "config");
        Platform want = Platform.parse(options.platform());
        if (c.architecture != null && !Platform.normaliseArch(c.architecture).equals(want.architecture())) {
            throw new ImageException(Reference.display(ref.full()) + ": image is " + c.os + "/" + c.architecture + ", not the " + want + " asked for");
        }
    }
}

package io.cgroovy.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The local image store: content store {@code blobs/sha256/}, unpacked layers
 * {@code layers/<chainID-hex>/}, image records {@code images/<config-hex>.json} under one
 * state root. Writers hold the store lock (threads and other JVMs); readers need none because
 * every file is replaced atomically.
 */
public final class ImageStore {
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[0-9a-f]{4,64}");
    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private final Path root;
    private final Path layersDir;
    private final BlobStore blobs;
    private final RecordStore records;
    private final StoreLock lock;
    private final LayerUnpacker unpacker;
    private final long maxArchiveBytes;

    private ImageStore(Path root, long maxLayerBytes) {
        this.root = root;
        this.layersDir = root.resolve("layers");
        this.blobs = new BlobStore(root);
        this.records = new RecordStore(root);
        this.unpacker = new LayerUnpacker(maxLayerBytes);
        this.maxArchiveBytes = maxLayerBytes;
        try {
            Files.createDirectories(blobs.dir());
            Files.createDirectories(layersDir);
            // layers hold images' setuid files and private data: no other local user may reach them (Docker: 0710)
            Files.setPosixFilePermissions(layersDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(root.resolve("images"));
        } catch (IOException e) {
            throw new ImageException("cannot create image store at " + root + ": " + e.getMessage(), e);
        }
        this.lock = new StoreLock(root);
        lock.run(this::sweep);
    }

    /** Opens (creating when needed) the store under a state root such as /var/lib/cgroovy. */
    public static ImageStore open(Path root) {
        return new ImageStore(root, LayerUnpacker.DEFAULT_MAX_BYTES);
    }

    /** As {@link #open(Path)} with another bound on a layer's uncompressed size. */
    static ImageStore open(Path root, long maxLayerBytes) {
        return new ImageStore(root, maxLayerBytes);
    }

    public Path root() {
        return root;
    }

    /** A directory holding an OCI layout, or a tar (maybe gzipped): a docker save archive or an OCI layout. */
    public List<ImageRecord> load(Path path) {
        if (Files.isDirectory(path)) return importOciLayout(path, null);
        return withTar(path, src -> {
            if (src.exists("manifest.json")) return importFrom(added -> new DockerArchiveReader(src, blobs, added).read());
            if (LayoutReader.isLayout(src)) return importFrom(added -> new LayoutReader(src, blobs, added).read(null, null));
            throw new ImageException(path + ": neither a docker save archive nor an OCI layout (no manifest.json or oci-layout)");
        });
    }

    /** Opens a tar file for reading in place; a gzipped one is expanded to a temp copy first (under the lock, so no sweep takes it). */
    private List<ImageRecord> withTar(Path path, Function<TarSource, List<ImageRecord>> action) {
        if (!Files.isRegularFile(path)) throw new ImageException("no such file or directory: " + path);
        return guard(() -> {
            if (!GunzippedCopy.isGzip(path)) {
                try (TarSource src = new TarSource(path)) {
                    return action.apply(src);
                }
            }
            return lock.with(() -> {
                try (GunzippedCopy copy = GunzippedCopy.of(path, blobs.dir(), maxArchiveBytes);
                     TarSource src = new TarSource(copy.file, path.toString())) {
                    return action.apply(src);
                }
            });
        });
    }

    /**
     * Imports every image listed in the layout's index.json. Tags come from the
     * org.opencontainers.image.ref.name annotation read as a reference; {@code nameAs}
     * ("repo" or, for a one-image layout, "repo:tag") overrides it and names untagged images.
     */
    public List<ImageRecord> importOciLayout(Path dir, String nameAs) {
        if (nameAs != null) Reference.normaliseTag(nameAs); // reject a bad name before copying anything
        if (!Files.isDirectory(dir)) return withTar(dir, src -> importFrom(added -> new LayoutReader(src, blobs, added).read(nameAs, null)));
        return guard(() -> {
            try (ArchiveSource src = new DirSource(dir)) {
                return importFrom(added -> new LayoutReader(src, blobs, added).read(nameAs, null));
            }
        });
    }

    /** Imports a docker save archive, tagged from its manifest.json RepoTags. */
    public List<ImageRecord> importDockerArchive(Path tar) {
        return withTar(tar, src -> importFrom(added -> new DockerArchiveReader(src, blobs, added).read()));
    }

    /** All images, sorted by first tag; untagged (dangling) ones last. */
    public List<ImageRecord> list() {
        return guard(() -> {
            List<ImageRecord> out = new ArrayList<>();
            for (StoredImage s : records.all()) if (!s.intermediate || !s.tags.isEmpty()) out.add(s.toRecord());
            out.sort(Comparator.comparing((ImageRecord r) -> r.tags().isEmpty() ? "~" : r.tags().get(0)).thenComparing(ImageRecord::id));
            return out;
        });
    }

    /** The image a name:tag, name@digest, id or id prefix (4+ hex) names; "no such image: REF" otherwise. */
    public ImageRecord inspect(String ref) {
        return guard(() -> find(ref).image.toRecord());
    }

    /** Points {@code target} at the image {@code source} names; the tag leaves any other image. */
    public void tag(String source, String target) {
        String t = Reference.normaliseTag(target);
        guard(() -> lock.with(() -> {
            StoredImage s = find(source).image;
            if (!s.tags.contains(t)) s.tags.add(t);
            records.put(s);
            moveTag(t, s.id);
            return null;
        }));
    }

    /**
     * Removes a tag; an image left without tags, or named by id, is deleted, and the blobs and
     * layer dirs no remaining image uses are freed.
     */
    public void remove(String ref) {
        guard(() -> lock.with(() -> {
            Found f = find(ref);
            StoredImage s = f.image;
            if (f.tag != null && s.tags.size() > 1) {
                s.tags.remove(f.tag);
                records.put(s);
                return null;
            }
            records.delete(s.id);
            free(s);
            return null;
        }));
    }

    /** What {@link #pruneBuildImages} removed: image ids, and the bytes of the blobs freed with them. */
    public record Pruned(List<String> ids, long bytesFreed) {
        public Pruned {
            ids = List.copyOf(ids);
        }
    }

    /** The build cache's images: untagged build-step images (hidden from {@link #list()}). */
    public List<ImageRecord> buildImages() {
        return guard(() -> {
            List<ImageRecord> out = new ArrayList<>();
            for (StoredImage s : records.all()) if (s.intermediate && s.tags.isEmpty()) out.add(s.toRecord());
            out.sort(Comparator.comparing(ImageRecord::id));
            return out;
        });
    }

    /**
     * Removes the build cache's images ({@link #buildImages()}) except those whose id is in
     * {@code keep} (images containers use), and frees the blobs and layer dirs only they held;
     * tagged images and what they use stay whole.
     */
    public Pruned pruneBuildImages(Set<String> keep) {
        return guard(() -> lock.with(() -> {
            List<String> removed = new ArrayList<>();
            long bytes = 0;
            for (StoredImage s : records.all()) {
                if (!s.intermediate || !s.tags.isEmpty() || keep.contains(s.id)) continue;
                records.delete(s.id);
                bytes += free(s);
                removed.add(s.id);
            }
            return new Pruned(removed, bytes);
        }));
    }

    /** The image's unpacked layer dirs (lowest first) and config; unpacks what is not unpacked yet. */
    public Snapshot snapshot(String ref) {
        Snapshot found = snapshotIfPresent(ref);
        if (found == null) throw new ImageException("no such image: " + ref);
        return found;
    }

    /**
     * As {@link #snapshot}, null when the store has no image {@code ref} names: one look at the image
     * records both answers whether it is here and gives what a container of it needs.
     */
    public Snapshot snapshotIfPresent(String ref) {
        return guard(() -> {
            Found f = tryFind(ref);
            if (f == null) return null;
            StoredImage s = f.image;
            ImageConfig config = Json.parse(blobs.read(s.id), ImageConfig.class, "config " + s.id);
            List<Path> dirs = new ArrayList<>();
            for (int i = 0; i < s.chainIds.size(); i++) {
                Path dir = layersDir.resolve(Digest.hex(s.chainIds.get(i)));
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    int n = i;
                    // under the lock: remove() must not free this image's blobs while we unpack them
                    lock.run(() -> {
                        StoredImage now = records.get(s.id);
                        if (now == null) throw new ImageException("no such image: " + ref + " (removed meanwhile)");
                        Path blob = blobs.path(s.layers.get(n));
                        if (!Files.isRegularFile(blob)) throw new ImageException("layer " + s.layers.get(n) + ": blob missing from the store");
                        unpacker.unpack(blob, s.layers.get(n), s.diffIds.get(n), dir);
                    });
                }
                dirs.add(dir);
            }
            String name = f.tag != null ? Reference.display(f.tag) : s.id;
            return new Snapshot(s.id, name, dirs, config, s.manifestDigest);
        });
    }

    /**
     * The image's layers, lowest first (the manifest's order), each with its digest, size, chain ID directory and the
     * history step that made it: the config's history entries that are not {@code empty_layer}, in order, belong to the
     * layers in order (the image spec's rule). Nothing is unpacked or changed.
     */
    public List<ImageLayer> layers(String ref) {
        return guard(() -> layersOf(find(ref).image));
    }

    /** The layer whose unpacked directory is {@code layers/<chainIdHex>}, from any image that has it; empty when none. */
    public java.util.Optional<ImageLayer> layerByChainId(String chainIdHex) {
        return guard(() -> {
            String want = chainIdHex.startsWith("sha256:") ? chainIdHex : "sha256:" + chainIdHex;
            for (StoredImage s : records.all()) {
                int i = s.chainIds.indexOf(want);
                if (i >= 0) return java.util.Optional.of(layersOf(s).get(i));
            }
            return java.util.Optional.<ImageLayer>empty();
        });
    }

    /** The config's history, every step (also those that made no layer), oldest first; empty when the image has none. */
    public List<ImageConfig.History> history(String ref) {
        ImageConfig c = config(ref);
        return c.history == null ? List.of() : List.copyOf(c.history);
    }

    private List<ImageLayer> layersOf(StoredImage s) {
        ImageConfig config = Json.parse(blobs.read(s.id), ImageConfig.class, "config " + s.id);
        List<ImageConfig.History> steps = new ArrayList<>();
        if (config.history != null) for (ImageConfig.History h : config.history) if (!Boolean.TRUE.equals(h.emptyLayer)) steps.add(h);
        // a history that does not have one entry per layer cannot be matched up: say nothing rather than something wrong
        boolean matched = steps.size() == s.layers.size();
        List<ImageLayer> out = new ArrayList<>();
        for (int i = 0; i < s.layers.size(); i++) {
            String digest = s.layers.get(i);
            ImageConfig.History h = matched ? steps.get(i) : null;
            out.add(new ImageLayer(i, digest, i < s.layerMediaTypes.size() ? s.layerMediaTypes.get(i) : null,
                    Files.isRegularFile(blobs.path(digest)) ? blobs.size(digest) : -1,
                    i < s.diffIds.size() ? s.diffIds.get(i) : null, s.chainIds.get(i),
                    layersDir.resolve(Digest.hex(s.chainIds.get(i))), h == null ? null : h.createdBy, h == null ? null : h.created));
        }
        return out;
    }

    /** Makes busybox:latest from the host's busybox-static unless that tag exists. */
    public ImageRecord ensureDefaultBusybox() {
        return ensureDefaultBusybox(HOST_BUSYBOX);
    }

    ImageRecord ensureDefaultBusybox(Path busybox) {
        Found present = tryFind(BusyboxImage.TAG);
        if (present != null) return present.image.toRecord();
        return guard(() -> lock.with(() -> {
            Found again = tryFind(BusyboxImage.TAG);
            if (again != null) return again.image.toRecord();
            BusyboxImage bb = BusyboxImage.build(busybox);
            return importFrom(added -> {
                OciDocument m = new OciDocument();
                m.schemaVersion = 2;
                m.mediaType = MediaTypes.OCI_MANIFEST;
                m.config = new Descriptor(MediaTypes.OCI_CONFIG, blobs.putBytes(bb.config, added), bb.config.length);
                m.layers = List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, blobs.putBytes(bb.layer, added), bb.layer.length));
                String manifest = blobs.putBytes(Json.write(m), added);
                return List.of(Pending.of(manifest, m, bb.config, new ArrayList<>(List.of(Reference.normaliseTag(BusyboxImage.TAG)))));
            }).get(0);
        }));
    }

    // ---- registries ----

    /**
     * {@code docker pull}: fetches the image {@code ref} names ("alpine" is
     * docker.io/library/alpine:latest) with its layers, unpacked, unless the store has them. On
     * any failure the store is as before: what this pull fetched is removed.
     */
    public ImageRecord pull(String ref, RegistryOptions options) {
        Reference r = Reference.parse(ref);
        try {
            return guard(() -> importFrom(added -> List.of(new Puller(blobs, unpacker, layersDir, options).pull(ref, r, added))).get(0));
        } catch (RuntimeException e) {
            // layer dirs unpacked for this pull are named by no record now; blobs importFrom removed already
            try {
                lock.run(this::dropOrphans);
            } catch (RuntimeException ignored) {
                // the next open() sweeps them
            }
            throw e;
        }
    }

    /** True when the store has the image {@code ref} names; a malformed reference is an error. */
    public boolean contains(String ref) {
        return guard(() -> tryFind(ref)) != null;
    }

    /** The image {@code ref} names when the store has it, else pulled (as {@code docker run} does). */
    public ImageRecord inspectOrPull(String ref, RegistryOptions options) {
        Found f = guard(() -> tryFind(ref));
        return f != null ? f.image.toRecord() : pull(ref, options);
    }

    /**
     * {@code docker push}: uploads the image {@code localRef} names to {@code remoteRef} (the same
     * when null): blobs the registry lacks (mounted from another repository of the registry when
     * this image came from there), then the manifest. Returns the manifest digest.
     */
    public String push(String localRef, String remoteRef, RegistryOptions options) {
        String target = remoteRef != null ? remoteRef : localRef;
        Reference r = Reference.parse(target);
        if (r.digest() != null) throw new ImageException("push " + target + ": push to a tag, not a digest");
        StoredImage s = guard(() -> find(localRef).image);
        String digest = guard(() -> new Pusher(blobs, options).push(target, r, s));
        String repoDigest = r.name() + "@" + digest;
        guard(() -> lock.with(() -> {
            StoredImage now = records.get(s.id);
            if (now != null && !now.repoDigests.contains(repoDigest)) {
                now.repoDigests.add(repoDigest);
                records.put(now);
            }
            return null;
        }));
        return digest;
    }

    /**
     * Checks the credentials against the registry (as {@code docker login}) and writes them to
     * Docker's config.json ({@code auths}) in {@code options}' config dir.
     */
    public static void login(String host, String user, String password, RegistryOptions options) {
        if (host == null || host.isBlank() || host.contains("/")) throw new ImageException("login: invalid registry host '" + host + "' (write host or host:port)");
        if (user == null || user.isEmpty()) throw new ImageException("login " + host + ": user name is empty");
        if (password == null) throw new ImageException("login " + host + ": password is missing");
        var creds = new DockerConfig.Credentials(user, password);
        new RegistryClient(host, options, creds).login();
        new DockerConfig(options.dockerConfigDir()).store(host, creds);
    }

    /**
     * Writes the image {@code ref} names as a {@code docker save} archive ({@code format}
     * "docker-archive") or an OCI image layout ("oci": a directory, or a tar when {@code out}
     * ends in .tar). Nothing is left at {@code out} when this fails.
     */
    public void save(String ref, Path out, String format) {
        guard(() -> lock.with(() -> { // remove() must not free the blobs while they are copied out
            Found f = find(ref);
            String name = f.tag != null ? f.tag : f.image.tags.isEmpty() ? null : f.image.tags.get(0);
            new Exporter(blobs).export(f.image, name, out, format);
            return null;
        }));
    }

    /**
     * Makes a new image: the parent's layers plus, when {@code layerTar} is given, that tar as
     * one more layer (stored uncompressed, so its digest depends on nothing but its bytes), with
     * {@code runtime} as the config's container settings and one more history entry. The result
     * is an OCI manifest and config; the same inputs always give the same image id.
     *
     * @param parentRef    the image it builds on, or null for an image from scratch
     * @param layerTar     an uncompressed layer tar (e.g. from {@link LayerWriter}), or null for a config-only change
     * @param created      the "created" time (RFC 3339) of the config and of the history entry
     * @param createdBy    the history's created_by (the step or command)
     * @param tags         names to give it (may be empty)
     * @param intermediate a build step's image: not listed by {@link #list()} while it has no tag
     */
    public ImageRecord commit(String parentRef, Path layerTar, ImageConfig.Runtime runtime, String created, String createdBy,
                              String comment, List<String> tags, boolean intermediate) {
        List<String> fullTags = new ArrayList<>();
        for (String t : tags) fullTags.add(Reference.normaliseTag(t));
        return guard(() -> importFrom(added -> {
            StoredImage parent = parentRef == null ? null : find(parentRef).image;
            ImageConfig base = parent == null ? null : Json.parse(blobs.read(parent.id), ImageConfig.class, "config " + parent.id);
            ImageConfig c = new ImageConfig();
            c.architecture = base != null && base.architecture != null ? base.architecture : Documents.hostArchitecture();
            c.os = base != null && base.os != null ? base.os : "linux";
            c.created = created;
            c.config = sorted(runtime == null ? new ImageConfig.Runtime() : runtime);
            List<String> diffIds = new ArrayList<>(parent == null ? List.of() : parent.diffIds);
            List<Descriptor> layers = new ArrayList<>();
            if (parent != null) {
                for (int i = 0; i < parent.layers.size(); i++) {
                    String d = parent.layers.get(i);
                    String type = i < parent.layerMediaTypes.size() ? parent.layerMediaTypes.get(i) : null;
                    layers.add(new Descriptor(ociLayerType(type, d), d, blobs.size(d)));
                }
            }
            if (layerTar != null) {
                String digest;
                long size;
                try (var in = Files.newInputStream(layerTar)) {
                    digest = Digest.of(in);
                    size = Files.size(layerTar);
                } catch (IOException e) {
                    throw new UncheckedIOException("read layer " + layerTar, e);
                }
                try (var in = Files.newInputStream(layerTar)) {
                    if (blobs.put(in, digest, size)) added.add(digest);
                } catch (IOException e) {
                    throw new UncheckedIOException("store layer " + layerTar, e);
                }
                diffIds.add(digest);
                layers.add(new Descriptor(MediaTypes.OCI_LAYER, digest, size));
            }
            c.rootfs.type = "layers";
            c.rootfs.diffIds = diffIds;
            List<ImageConfig.History> history = new ArrayList<>(base != null && base.history != null ? base.history : List.of());
            ImageConfig.History h = new ImageConfig.History();
            h.created = created;
            h.createdBy = createdBy;
            h.comment = comment;
            if (layerTar == null) h.emptyLayer = true;
            history.add(h);
            c.history = history;
            byte[] config = Json.write(c);
            OciDocument m = new OciDocument();
            m.schemaVersion = 2;
            m.mediaType = MediaTypes.OCI_MANIFEST;
            m.config = new Descriptor(MediaTypes.OCI_CONFIG, blobs.putBytes(config, added), config.length);
            m.layers = layers;
            String manifest = blobs.putBytes(Json.write(m), added);
            Pending p = Pending.of(manifest, m, config, fullTags);
            p.image.intermediate = intermediate;
            StoredImage existing = records.get(p.image.id);
            if (existing != null && existing.intermediate && !intermediate) {
                existing.intermediate = false; // a step's image named by a build is an image like any other now
                records.put(existing);
            }
            return List.of(p);
        }).get(0));
    }

    /** The config of an image (its Env, Cmd, history, ...). */
    public ImageConfig config(String ref) {
        return guard(() -> Json.parse(blobs.read(find(ref).image.id), ImageConfig.class, "config " + ref));
    }

    /** Maps in the config sorted, so that the same settings always serialise the same. */
    private static ImageConfig.Runtime sorted(ImageConfig.Runtime r) {
        if (r.labels != null) r.labels = new java.util.TreeMap<>(r.labels);
        if (r.exposedPorts != null) r.exposedPorts = new java.util.TreeMap<>(r.exposedPorts);
        if (r.volumes != null) r.volumes = new java.util.TreeMap<>(r.volumes);
        return r;
    }

    /** An OCI manifest names layers by OCI media types: Docker's gzip layer is the same bytes as OCI's. */
    private String ociLayerType(String stored, String digest) {
        if (stored == null) return blobs.isGzip(digest) ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER;
        if (stored.equals(MediaTypes.DOCKER_LAYER_GZIP)) return MediaTypes.OCI_LAYER_GZIP;
        if (stored.equals("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")) return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
        return stored;
    }

    // ---- writing ----

    /** Runs a reader under the lock; on failure takes back every blob it added, so the store is as before. */
    private List<ImageRecord> importFrom(Function<List<String>, List<Pending>> reader) {
        return lock.with(() -> {
            List<String> added = new ArrayList<>();
            try {
                List<Pending> pending = reader.apply(added);
                Set<String> done = new java.util.LinkedHashSet<>();
                for (Pending p : pending) {
                    StoredImage s = records.get(p.image.id); // re-read: an earlier pending may have moved a tag off it
                    if (s == null) s = p.image; // an image already here keeps its manifest
                    for (String t : p.tags) if (!s.tags.contains(t)) s.tags.add(t);
                    for (String d : p.image.repoDigests) if (!s.repoDigests.contains(d)) s.repoDigests.add(d);
                    records.put(s);
                    for (String t : p.tags) moveTag(t, s.id);
                    done.add(s.id);
                }
                dropUnreferenced(added);
                List<ImageRecord> out = new ArrayList<>();
                for (String id : done) out.add(records.get(id).toRecord());
                return out;
            } catch (RuntimeException e) {
                blobs.deleteAll(added);
                throw e;
            }
        });
    }

    /**
     * A tag names one image: take it off every other record. Called after the new owner's
     * record is written, so a crash in between leaves the tag on two records, never on none.
     */
    private void moveTag(String tag, String toId) {
        for (StoredImage other : records.all()) {
            if (!other.id.equals(toId) && other.tags.remove(tag)) records.put(other);
        }
    }

    /** Blobs an import wrote that no record uses (it re-imported a known image with another manifest). */
    private void dropUnreferenced(List<String> added) {
        Set<String> used = new HashSet<>();
        for (StoredImage s : records.all()) used.addAll(s.blobs);
        for (String d : added) if (!used.contains(d)) blobs.delete(d);
    }

    /** Frees what only the removed image used: blobs and layer dirs, by scanning the remaining records. */
    private long free(StoredImage gone) {
        Set<String> usedBlobs = new HashSet<>();
        Set<String> usedChains = new HashSet<>();
        for (StoredImage s : records.all()) {
            usedBlobs.addAll(s.blobs);
            usedChains.addAll(s.chainIds);
        }
        for (String chain : gone.chainIds) {
            if (!usedChains.contains(chain)) removeLayerDir(layersDir.resolve(Digest.hex(chain)));
        }
        long bytes = 0;
        for (String b : gone.blobs) {
            if (usedBlobs.contains(b)) continue;
            bytes += blobs.size(b);
            blobs.delete(b);
        }
        return bytes;
    }

    /** Renames first so the layer vanishes at once; a crash mid-delete leaves a .tmp- dir that open() sweeps. */
    private void removeLayerDir(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path doomed = AtomicFiles.tempSibling(dir);
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("remove layer " + dir, e);
        }
        AtomicFiles.deleteTree(doomed);
    }

    /** Clears what a dead writer left: temp blobs, temp records, half-unpacked or half-deleted layers. */
    private void sweep() {
        for (Path dir : List.of(blobs.dir(), layersDir, root.resolve("images"))) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, AtomicFiles.TMP_PREFIX + "*")) {
                for (Path p : ds) AtomicFiles.deleteQuietly(p);
            } catch (IOException e) {
                throw new UncheckedIOException("clean " + dir, e);
            }
        }
        dropOrphans();
    }

    /**
     * A writer that died between storing blobs and writing the record, or between deleting a
     * record and freeing its blobs, leaves complete but unused blobs and layer dirs. Every writer
     * holds the lock for its whole run, so under the lock anything no record names is such a leftover.
     */
    private void dropOrphans() {
        Set<String> usedBlobs = new HashSet<>();
        Set<String> usedLayers = new HashSet<>();
        for (StoredImage s : records.all()) {
            for (String b : s.blobs) usedBlobs.add(Digest.hex(b));
            for (String c : s.chainIds) usedLayers.add(Digest.hex(c));
        }
        for (Path dir : List.of(blobs.dir(), layersDir)) {
            Set<String> used = dir.equals(layersDir) ? usedLayers : usedBlobs;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (name.matches("[0-9a-f]{64}") && !used.contains(name)) {
                        if (dir.equals(layersDir)) removeLayerDir(p);
                        else Files.deleteIfExists(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("clean " + dir, e);
            }
        }
    }

    // ---- lookup ----

    /** A record and the full tag it was found by (null when found by id or digest). */
    private record Found(StoredImage image, String tag) {}

    private Found find(String ref) {
        Found f = tryFind(ref);
        if (f == null) throw new ImageException("no such image: " + ref);
        return f;
    }

    private Found tryFind(String ref) {
        if (ref == null || ref.isBlank()) throw new ImageException("no such image: (empty reference)");
        List<StoredImage> all = records.all();
        ImageException invalid = null;
        try {
            Reference r = Reference.parse(ref);
            for (StoredImage s : all) {
                if (r.digest() != null) {
                    if (r.digest().equals(s.manifestDigest) || r.digest().equals(s.id)
                            || s.repoDigests.contains(r.name() + "@" + r.digest())) return new Found(s, null);
                } else if (s.tags.contains(r.full())) {
                    return new Found(s, r.full());
                }
            }
        } catch (ImageException e) {
            invalid = e;
        }
        if (ID_PREFIX.matcher(ref).matches()) {
            String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
            List<StoredImage> hits = new ArrayList<>();
            for (StoredImage s : all) if (Digest.hex(s.id).startsWith(hex)) hits.add(s);
            if (hits.size() > 1) throw new ImageException("ambiguous image id prefix '" + ref + "': " + hits.size() + " images match");
            if (hits.size() == 1) return new Found(hits.get(0), null);
        }
        if (invalid != null) throw invalid;
        return null;
    }

    /** Turns I/O failures into the one-line ImageException users get for everything. */
    private static <T> T guard(Supplier<T> action) {
        try {
            return action.get();
        } catch (UncheckedIOException e) {
            IOException io = e.getCause();
            throw new ImageException(e.getMessage() + ": " + io.getClass().getSimpleName() + " " + Json.firstLine(io.getMessage()), e);
        }
    }
}

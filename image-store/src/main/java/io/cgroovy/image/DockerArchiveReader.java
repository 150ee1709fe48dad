package io.cgroovy.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the images of a {@code docker save} archive into the content store. Older archives
 * (manifest.json + config + layer tars) get an OCI manifest written for them; newer ones hold
 * an OCI layout and are read as one, with manifest.json's RepoTags as tags.
 */
final class DockerArchiveReader {
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Entry {
        @JsonProperty("Config") public String config;
        @JsonProperty("RepoTags") public List<String> repoTags;
        @JsonProperty("Layers") public List<String> layers;
    }

    private final ArchiveSource src;
    private final BlobStore blobs;
    private final List<String> added;

    DockerArchiveReader(ArchiveSource src, BlobStore blobs, List<String> added) {
        this.src = src;
        this.blobs = blobs;
        this.added = added;
    }

    List<Pending> read() {
        if (!src.exists("manifest.json")) throw new ImageException(src.describe() + ": not a docker save archive (no manifest.json)");
        List<Entry> entries = parse(src.readSmall("manifest.json"));
        if (LayoutReader.isLayout(src)) {
            Map<String, List<String>> tags = new HashMap<>();
            for (Entry e : entries) {
                String hex = e.config.substring(e.config.lastIndexOf('/') + 1).replace(".json", "");
                if (e.repoTags != null) tags.put("sha256:" + hex, e.repoTags);
            }
            return new LayoutReader(src, blobs, added).read(null, tags);
        }
        List<Pending> out = new ArrayList<>();
        for (Entry e : entries) out.add(readLegacy(e));
        return out;
    }

    private List<Entry> parse(byte[] bytes) {
        try {
            List<Entry> entries = Json.MAPPER.readValue(bytes, new TypeReference<List<Entry>>() {});
            for (Entry e : entries) {
                if (e.config == null || e.layers == null) throw new ImageException(src.describe() + ": manifest.json entry without Config or Layers");
            }
            return entries;
        } catch (IOException e) {
            throw new ImageException(src.describe() + ": manifest.json is not valid (" + Json.firstLine(e.getMessage()) + ")");
        }
    }

    private Pending readLegacy(Entry e) {
        byte[] configBytes = src.readSmall(e.config);
        String configDigest = Digest.of(configBytes);
        if (blobs.put(new java.io.ByteArrayInputStream(configBytes), configDigest, configBytes.length)) added.add(configDigest);
        ImageConfig config = Json.parse(configBytes, ImageConfig.class, "config " + e.config);
        List<String> diffIds = config.rootfs == null ? List.of() : config.rootfs.diffIds;
        if (diffIds.size() != e.layers.size()) {
            throw new ImageException(src.describe() + ": " + e.layers.size() + " layers but config " + configDigest + " lists " + diffIds.size() + " diff_ids");
        }
        OciDocument m = new OciDocument();
        m.schemaVersion = 2;
        m.mediaType = MediaTypes.OCI_MANIFEST;
        m.config = new Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length);
        m.layers = new ArrayList<>();
        for (int i = 0; i < e.layers.size(); i++) {
            Descriptor d;
            try (InputStream in = src.open(e.layers.get(i))) {
                d = blobs.putUnnamed(in, added);
            } catch (IOException x) {
                throw new UncheckedIOException("read " + e.layers.get(i), x);
            }
            if (blobs.isGzip(d.digest)) {
                d.mediaType = MediaTypes.OCI_LAYER_GZIP; // diff_id is checked when it is unpacked
            } else {
                d.mediaType = MediaTypes.OCI_LAYER;
                // an uncompressed layer's digest is its diff_id: the only check a legacy archive allows
                if (!d.digest.equals(diffIds.get(i))) {
                    throw new ImageException("layer " + e.layers.get(i) + " in " + src.describe() + ": digest " + d.digest
                            + " does not match diff_id " + diffIds.get(i) + " in the config");
                }
            }
            m.layers.add(d);
        }
        byte[] manifestBytes = Json.write(m);
        String manifestDigest = blobs.putBytes(manifestBytes, added);
        List<String> tags = new ArrayList<>();
        if (e.repoTags != null) for (String t : e.repoTags) tags.add(Reference.normaliseTag(t));
        return Pending.of(manifestDigest, m, configBytes, tags);
    }
}

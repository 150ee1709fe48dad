package io.cgroovy.image;

import java.util.ArrayList;
import java.util.List;

/** An image whose blobs are in the content store and whose record is not written yet. */
final class Pending {
    final StoredImage image;
    final List<String> tags; // full form

    private Pending(StoredImage image, List<String> tags) {
        this.image = image;
        this.tags = tags;
    }

    /** Builds the record from a stored manifest and config, checking they agree on the layers. */
    static Pending of(String manifestDigest, OciDocument manifest, byte[] configBytes, List<String> tags) {
        String configDigest = manifest.config.digest;
        ImageConfig config = Json.parse(configBytes, ImageConfig.class, "config " + configDigest);
        if (config.rootfs == null || config.rootfs.diffIds == null) throw new ImageException("config " + configDigest + ": no rootfs.diff_ids");
        List<String> diffIds = config.rootfs.diffIds;
        if (diffIds.size() != manifest.layers.size()) {
            throw new ImageException("manifest " + manifestDigest + ": " + manifest.layers.size()
                    + " layers but config " + configDigest + " lists " + diffIds.size() + " diff_ids");
        }
        for (String d : diffIds) Digest.check(d, "diff_id in config " + configDigest);
        StoredImage s = new StoredImage();
        s.id = configDigest;
        s.manifestDigest = manifestDigest;
        s.created = config.created;
        s.diffIds = new ArrayList<>(diffIds);
        s.chainIds = new ArrayList<>(Digest.chainIds(diffIds));
        s.blobs.add(manifestDigest);
        s.blobs.add(configDigest);
        s.size = configBytes.length;
        for (Descriptor l : manifest.layers) {
            s.layers.add(l.digest);
            s.layerMediaTypes.add(l.mediaType);
            s.blobs.add(l.digest);
            s.size += l.size;
        }
        return new Pending(s, tags);
    }
}

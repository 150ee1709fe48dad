package io.cgroovy.image;

import java.time.Instant;
import java.util.List;

/**
 * One image in the store, as users see it.
 *
 * @param id             the config digest ("sha256:...")
 * @param tags           short reference forms ("busybox:latest"), sorted; empty for a dangling image
 * @param size           bytes of the stored blobs (config + layers as stored, compressed or not)
 * @param created        the config's "created" time, or null when the image does not say
 * @param manifestDigest the digest of the manifest kept in the content store
 */
public record ImageRecord(String id, List<String> tags, long size, Instant created, String manifestDigest) {
    public ImageRecord {
        tags = List.copyOf(tags);
    }
}

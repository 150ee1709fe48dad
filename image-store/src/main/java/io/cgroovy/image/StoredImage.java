package io.cgroovy.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON record {@code images/<config-hex>.json}: what the store knows of one image. It names
 * every blob and layer the image uses, so freeing space is a scan of the remaining records.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
final class StoredImage {
    public String id;              // config digest
    public String manifestDigest;
    public List<String> tags = new ArrayList<>();      // full form: docker.io/library/busybox:latest
    public List<String> blobs = new ArrayList<>();     // manifest, config, layers
    public List<String> layers = new ArrayList<>();    // compressed layer digests, lowest first
    public List<String> layerMediaTypes = new ArrayList<>();
    public List<String> diffIds = new ArrayList<>();
    public List<String> chainIds = new ArrayList<>();
    public List<String> repoDigests = new ArrayList<>(); // name@manifest-or-index digest, as pulled from or pushed to
    public long size;
    public String created;
    public boolean intermediate;   // a build step's image: hidden from list() while untagged

    ImageRecord toRecord() {
        List<String> shown = new ArrayList<>();
        for (String t : tags) shown.add(Reference.display(t));
        shown.sort(null);
        return new ImageRecord(id, shown, size, parseCreated(created), manifestDigest);
    }

    private static Instant parseCreated(String s) {
        if (s == null) return null;
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null; // a malformed date is not worth refusing an image for
        }
    }
}

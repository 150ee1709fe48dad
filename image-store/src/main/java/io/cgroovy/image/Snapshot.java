package io.cgroovy.image;

import java.nio.file.Path;
import java.util.List;

/**
 * What core-runtime needs of an image: its unpacked layer directories, lowest first
 * (each {@code layers/<chainID>}, overlay whiteouts in kernel form), and its config.
 *
 * @param imageId   the config digest ("sha256:...")
 * @param reference the reference the image was asked for by, normalised
 * @param manifestDigest the digest of the manifest the store has it with, or null when it has none
 */
public record Snapshot(String imageId, String reference, List<Path> layers, ImageConfig config, String manifestDigest) {
    public Snapshot {
        layers = List.copyOf(layers);
    }

    /** An image known by its config only. */
    public Snapshot(String imageId, String reference, List<Path> layers, ImageConfig config) {
        this(imageId, reference, layers, config, null);
    }
}

package io.cgroovy.image;

import java.nio.file.Path;
import java.util.List;

/**
 * What core-runtime needs of an image: its unpacked layer directories, lowest first
 * (each {@code layers/<chainID>}, overlay whiteouts in kernel form), and its config.
 *
 * @param imageId   the config digest ("sha256:...")
 * @param reference the reference the image was asked for by, normalised
 */
public record Snapshot(String imageId, String reference, List<Path> layers, ImageConfig config) {
    public Snapshot {
        layers = List.copyOf(layers);
    }
}

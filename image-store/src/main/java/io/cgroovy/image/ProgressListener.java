package io.cgroovy.image;

/**
 * Receives pull and push progress, called from the transfer threads (implementations must be
 * thread-safe and quick: a shell redraws its bars from these).
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = e -> { };

    void progress(ProgressEvent event);
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * Draws pull and push progress instead of {@link PullProgress}'s plain lines (the shell's per-layer
 * bars). Called from transfer threads with each event of the image store, in plain values so the
 * shell needs no image-store type: {@code item} a blob digest (null for the whole image),
 * {@code state} the event's state name (RESOLVING, EXISTS, DOWNLOADING, DONE, COMPLETE, ...).
 */
@CompileStatic
interface ProgressView {
    void event(String item, String state, long bytes, long size, long totalBytes, long totalSize)
}

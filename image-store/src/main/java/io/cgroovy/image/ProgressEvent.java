package io.cgroovy.image;

/**
 * One step of a pull or push, as Docker shows it per layer ("Downloading", "Pull complete").
 *
 * @param reference  the image being moved, as the user wrote it
 * @param item       the blob's digest (a layer or the config), or null for an event about the whole image
 * @param state      what happens to the item now
 * @param bytes      bytes of the item moved so far
 * @param size       the item's size (compressed, as the registry stores it)
 * @param totalBytes bytes of the whole image moved so far (blobs already present count as moved)
 * @param totalSize  the whole image's size
 */
public record ProgressEvent(String reference, String item, State state, long bytes, long size, long totalBytes, long totalSize) {
    public enum State {
        /** Resolving the reference, fetching manifests. */
        RESOLVING,
        /** Queued behind other transfers. */
        WAITING,
        /** In the store already (pull) or in the registry already (push): not moved. */
        EXISTS,
        DOWNLOADING,
        /** A connection dropped or the registry failed; the transfer resumes (with a Range request where it can). */
        RETRYING,
        EXTRACTING,
        UPLOADING,
        /** Mounted from another repository of the same registry instead of uploaded. */
        MOUNTED,
        /** The item finished (downloaded and verified, or uploaded). */
        DONE,
        FAILED,
        /** The whole image finished. */
        COMPLETE
    }

    /** A short line such as Docker prints: "3f4b1c2d9e8a: Downloading 1.2MB/3.4MB". */
    @Override
    public String toString() {
        String what = item == null ? reference : Digest.isDigest(item) ? Digest.hex(item).substring(0, 12) : item;
        return what + ": " + state + " " + bytes + "/" + size + " (total " + totalBytes + "/" + totalSize + ")";
    }
}

package io.cgroovy.image;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-image progress bookkeeping for one pull or push: bytes per item and in total, turned into
 * {@link ProgressEvent}s. Byte updates are thinned to about one per 1% of an item (and state
 * changes always go out), so a listener drawing bars is not flooded.
 */
final class Progress {
    private final String reference;
    private final ProgressListener listener;
    private final Map<String, long[]> items = new ConcurrentHashMap<>(); // digest -> {bytes, size, lastSent}
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong totalSize = new AtomicLong();

    Progress(String reference, ProgressListener listener) {
        this.reference = reference;
        this.listener = listener;
    }

    void add(String item, long size) {
        if (items.putIfAbsent(item, new long[] {0, size, -1}) == null) totalSize.addAndGet(size);
    }

    void image(ProgressEvent.State state) {
        send(new ProgressEvent(reference, null, state, total.get(), totalSize.get(), total.get(), totalSize.get()));
    }

    /** @param bytes bytes of the item so far; -1 keeps the current count */
    void layer(String item, ProgressEvent.State state, long bytes) {
        long[] it = items.get(item);
        if (it == null) return;
        long b;
        boolean sendIt;
        synchronized (it) {
            b = bytes < 0 ? it[0] : bytes;
            total.addAndGet(b - it[0]);
            it[0] = b;
            long step = Math.max(64 * 1024, it[1] / 100);
            sendIt = state != ProgressEvent.State.DOWNLOADING && state != ProgressEvent.State.UPLOADING
                    || it[2] < 0 || b - it[2] >= step || b == it[1];
            if (sendIt) it[2] = b;
        }
        if (sendIt) send(new ProgressEvent(reference, item, state, b, it[1], total.get(), totalSize.get()));
    }

    private void send(ProgressEvent e) {
        try {
            listener.progress(e);
        } catch (RuntimeException ignored) {
            // a broken progress bar must not break the transfer
        }
    }

    static String oneLine(Throwable t) {
        if (t instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return u.getMessage() + ": " + RegistryClient.describe(u.getCause());
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : Json.firstLine(m);
    }
}

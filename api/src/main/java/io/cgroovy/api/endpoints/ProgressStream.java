package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.Response;
import io.cgroovy.image.ProgressEvent;
import io.cgroovy.image.ProgressListener;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Docker's JSON message stream for pulls and pushes ({"status":"Downloading","progressDetail":{...},"id":"3f4b1c2d9e8a"}),
 * one object per line, from the image store's progress events. Transfers run in parallel, so lines
 * are written whole under a lock; byte counts are sent at most every 100 ms per layer.
 */
final class ProgressStream implements ProgressListener {
    private static final long EVERY_MS = 100;

    private final OutputStream out;
    private final boolean push;
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
    private volatile boolean clientGone;

    ProgressStream(OutputStream out, boolean push) {
        this.out = out;
        this.push = push;
    }

    @Override public void progress(ProgressEvent e) {
        if (e.item() == null) return;
        String item = e.item();
        String id = item.startsWith("sha256:") && item.length() >= 19 ? item.substring(7, 19) : item;
        String status = switch (e.state()) {
            case WAITING -> push ? "Preparing" : "Waiting";
            case EXISTS -> push ? "Layer already exists" : "Already exists";
            case DOWNLOADING -> "Downloading";
            case UPLOADING -> "Pushing";
            case RETRYING -> "Retrying";
            case EXTRACTING -> "Extracting";
            case MOUNTED -> "Mounted from another repository";
            case DONE -> push ? "Pushed" : "Pull complete";
            default -> null;
        };
        if (status == null) return;
        boolean counting = e.state() == ProgressEvent.State.DOWNLOADING || e.state() == ProgressEvent.State.UPLOADING
                || e.state() == ProgressEvent.State.EXTRACTING;
        if (counting) {
            long now = System.currentTimeMillis();
            Long last = lastSent.get(id);
            if (last != null && now - last < EVERY_MS && e.bytes() < e.size()) return;
            lastSent.put(id, now);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("progressDetail", counting ? Map.of("current", e.bytes(), "total", e.size()) : Map.of());
        m.put("id", id);
        send(m);
    }

    void status(String text) {
        send(Map.of("status", text));
    }

    void status(String text, String id) {
        send(Map.of("status", text, "id", id));
    }

    void aux(Map<String, Object> aux) {
        send(Map.of("progressDetail", Map.of(), "aux", aux));
    }

    /** A failure after the 200 went out: Docker's in-stream error shape. */
    void error(String message) {
        send(Map.of("errorDetail", Map.of("message", message), "error", message));
    }

    /** True once a write failed: the client hung up. */
    boolean clientGone() {
        return clientGone;
    }

    private synchronized void send(Map<String, Object> m) {
        if (clientGone) return;
        try {
            out.write(Response.JSON.writeValueAsBytes(m));
            out.write("\r\n".getBytes());
            out.flush();
        } catch (IOException e) {
            clientGone = true;
        } catch (UncheckedIOException e) {
            clientGone = true;
        }
    }
}

package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /events}: what this server did, as Docker reports it: container create, start, die
 * (with exitCode), destroy; image pull, tag, delete. The last {@value #KEPT} events are kept for
 * {@code since}; {@code until} ends the stream. Events of containers changed by other clients of
 * the same state root (the shell, a second server) are not seen.
 */
public final class Events {
    private static final int KEPT = 512;

    /** One event; {@code timeNano} is its wall-clock time in ns since the epoch. */
    record Event(String type, String action, String id, Map<String, String> attributes, long timeNano) {}

    private final Deque<Event> recent = new ArrayDeque<>();
    private final List<BlockingQueue<Event>> subscribers = new CopyOnWriteArrayList<>();

    public void register(Router r) {
        r.on("GET", "/events", this::events);
    }

    /** Records an event and hands it to every open {@code /events} stream. */
    void emit(String type, String action, String id, Map<String, String> attributes) {
        Instant now = Instant.now();
        Event e = new Event(type, action, id, Map.copyOf(attributes), now.getEpochSecond() * 1_000_000_000L + now.getNano());
        synchronized (recent) {
            recent.addLast(e);
            if (recent.size() > KEPT) recent.removeFirst();
            for (BlockingQueue<Event> q : subscribers) q.offer(e); // under the lock: no event twice or lost between replay and live
        }
    }

    private void events(Request req, Response res) throws IOException {
        Long since = time(req.query("since", null), "since");
        Long until = time(req.query("until", null), "until");
        Filters.Terms f = Filters.terms(req.query("filters", null), List.of("type", "event", "container", "image"));
        BlockingQueue<Event> q = new LinkedBlockingQueue<>();
        List<Event> replay = new ArrayList<>();
        synchronized (recent) {
            if (since != null) for (Event e : recent) if (e.timeNano() >= since) replay.add(e);
            subscribers.add(q);
        }
        try (OutputStream out = res.streamUntilClientGoes(200, "application/json")) {
            out.flush(); // the CLI waits for the headers before it prints anything
            for (Event e : replay) if (!write(out, e, f, until)) return;
            while (true) {
                long wait = until == null ? 1000 : Math.max(0, (until - now()) / 1_000_000);
                Event e = q.poll(Math.min(wait, 1000), TimeUnit.MILLISECONDS);
                if (e == null) {
                    if (until != null && now() >= until) return;
                    // a blank line between JSON values is nothing to a decoder; a client that went away makes it throw
                    out.write('\n');
                    out.flush();
                    continue;
                }
                if (!write(out, e, f, until)) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            subscribers.remove(q);
        }
    }

    /** Writes one event when the filters pass it; false once past {@code until}. */
    private static boolean write(OutputStream out, Event e, Filters.Terms f, Long until) throws IOException {
        if (until != null && e.timeNano() > until) return false;
        String name = e.attributes().getOrDefault("name", "");
        boolean pass = f.any("type", e.type()::equals) && f.any("event", e.action()::equals)
                && f.any("container", v -> e.type().equals("container") && (e.id().startsWith(v) || name.equals(v)))
                && f.any("image", v -> v.equals(e.attributes().get("image")) || (e.type().equals("image") && e.id().equals(v)));
        if (!pass) return true;
        Map<String, Object> m = new LinkedHashMap<>();
        if (e.type().equals("container")) {
            m.put("status", e.action());
            m.put("id", e.id());
            m.put("from", e.attributes().getOrDefault("image", ""));
        }
        m.put("Type", e.type());
        m.put("Action", e.action());
        m.put("Actor", Map.of("ID", e.id(), "Attributes", e.attributes()));
        m.put("scope", "local");
        m.put("time", e.timeNano() / 1_000_000_000L);
        m.put("timeNano", e.timeNano());
        out.write(Response.JSON.writeValueAsBytes(m));
        out.write('\n');
        out.flush();
        return true;
    }

    private static long now() {
        Instant n = Instant.now();
        return n.getEpochSecond() * 1_000_000_000L + n.getNano();
    }

    /** Docker's since/until: seconds since the epoch, optionally with a fraction ("1700000000.123"). */
    private static Long time(String v, String name) {
        if (v == null || v.isBlank()) return null;
        try {
            return new java.math.BigDecimal(v.trim()).movePointRight(9).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw ApiError.badRequest("events: " + name + " must be seconds since the epoch (got '" + v + "')");
        }
    }
}

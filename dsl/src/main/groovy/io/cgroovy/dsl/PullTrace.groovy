package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.image.ProgressEvent
import io.cgroovy.image.ProgressListener
import io.cgroovy.runtime.trace.Trace

/**
 * Turns a pull's progress events into trace steps (resolve, fetch and unpack of each layer; a layer
 * is unpacked while it downloads, so its unpack step is what is left after the download),
 * then passes each event on. Events come from the pull's worker threads, so the run is created
 * on the caller's thread (traces are per thread) and handed in.
 */
@CompileStatic
final class PullTrace implements ProgressListener {
    private final Trace.Run run
    private final ProgressListener next
    private final long started = System.nanoTime()
    private boolean resolved
    private final Map<String, long[]> items = [:] // digest -> {phase start, 0 fetching / 1 unpacking}

    PullTrace(Trace.Run run, ProgressListener next) {
        this.run = run
        this.next = next
    }

    @Override
    void progress(ProgressEvent e) {
        record(e)
        next.progress(e)
    }

    private synchronized void record(ProgressEvent e) {
        long now = System.nanoTime()
        if (e.item() == null) {
            if (e.state() == ProgressEvent.State.COMPLETE) endResolve(now)
            return
        }
        endResolve(now)
        String name = short12(e.item())
        long[] it = items[e.item()]
        switch (e.state()) {
            case ProgressEvent.State.DOWNLOADING:
                if (it == null) items[e.item()] = [now, 0L] as long[]
                break
            case ProgressEvent.State.EXISTS:
                run.add(new Trace.Step("layer ${name}: in the store already".toString(), 'engine', now, 0))
                break
            case ProgressEvent.State.EXTRACTING:
                if (it != null && it[1] == 0L) run.add(new Trace.Step("fetch + verify layer ${name} (${e.size()} bytes)".toString(), 'engine', it[0], now - it[0]))
                items[e.item()] = [now, 1L] as long[]
                break
            case ProgressEvent.State.DONE:
            case ProgressEvent.State.FAILED:
                String what = it == null ? null : it[1] == 0L ? "fetch + verify layer ${name} (${e.size()} bytes)" : "unpack layer ${name}"
                if (what != null) run.add(new Trace.Step(e.state() == ProgressEvent.State.FAILED ? what + ' (failed)' : what, 'engine', it[0], now - it[0]))
                items.remove(e.item())
                break
            default:
                break
        }
    }

    /** "sha256:0123456789abcdef..." as docker prints it: the first 12 hex digits. */
    private static String short12(String item) {
        int colon = item.indexOf(':')
        colon > 0 && item.length() >= colon + 13 ? item.substring(colon + 1, colon + 13) : item
    }

    /** The resolve step: from the start to the first event about a layer (manifests and config fetched). */
    private void endResolve(long now) {
        if (resolved) return
        resolved = true
        run.add(new Trace.Step('resolve: manifest, config', 'engine', started, now - started))
    }
}

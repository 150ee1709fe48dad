package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.image.ProgressEvent
import io.cgroovy.image.ProgressListener

/**
 * Shows pull and push progress the way {@code docker pull} does: a line per layer when its
 * state changes ("a1b2c3d4e5f6: Pull complete"), and on a terminal one bar for the whole image,
 * redrawn in place. The shell may draw richer bars from the same {@link ProgressEvent}s.
 */
@CompileStatic
final class PullProgress implements ProgressListener {
    private static final int WIDTH = 30
    private final PrintStream out
    private final boolean terminal
    private boolean barShown
    private long lastDraw

    PullProgress(PrintStream out, boolean terminal) {
        this.out = out
        this.terminal = terminal
    }

    @Override
    synchronized void progress(ProgressEvent e) {
        String line = lineFor(e)
        if (line != null) {
            clearBar()
            out.println(line)
        }
        if (terminal && (e.state() == ProgressEvent.State.DOWNLOADING || e.state() == ProgressEvent.State.UPLOADING)) {
            long now = System.nanoTime()
            if (now - lastDraw > 100_000_000L || e.totalBytes() == e.totalSize()) {
                lastDraw = now
                out.print('\r' + bar(e.totalBytes(), e.totalSize()))
                out.flush()
                barShown = true
            }
        }
        if (e.state() == ProgressEvent.State.COMPLETE) clearBar()
    }

    private void clearBar() {
        if (barShown) {
            out.print('\r\033[K')
            barShown = false
        }
    }

    /** The state lines Docker prints; null for byte updates (those only move the bar). */
    static String lineFor(ProgressEvent e) {
        String id = e.item() == null ? e.reference() : shortId(e.item())
        switch (e.state()) {
            case ProgressEvent.State.RESOLVING: return "${e.reference()}: resolving".toString()
            case ProgressEvent.State.EXISTS: return "${id}: Already exists".toString()
            case ProgressEvent.State.RETRYING: return "${id}: Retrying (connection lost at ${Sizes.human(e.bytes())})".toString()
            case ProgressEvent.State.MOUNTED: return "${id}: Mounted from another repository".toString()
            case ProgressEvent.State.DONE: return "${id}: Complete".toString()
            case ProgressEvent.State.FAILED: return "${id}: Failed".toString()
            case ProgressEvent.State.COMPLETE: return "${e.reference()}: done (${Sizes.human(e.totalSize())})".toString()
            default: return null
        }
    }

    static String bar(long done, long total) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, (done * WIDTH).intdiv(total))
        String b = '=' * filled + (filled < WIDTH ? '>' + ' ' * (WIDTH - filled - 1) : '')
        "[${b}] ${Sizes.human(done)}/${Sizes.human(total)}".toString()
    }

    private static String shortId(String digest) {
        int colon = digest.indexOf(':')
        String hex = colon >= 0 ? digest.substring(colon + 1) : digest
        hex.length() > 12 ? hex.substring(0, 12) : hex
    }
}

package io.cgroovy.shell;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-layer progress bars for pulls, pushes and builds, redrawn in place, with the total bytes
 * and the speed so far:
 * <pre>
 * 3f4a9c1e2b7d  Downloading  [=========>          ]  1.2MB / 2.5MB
 * 9b2e01c4d5aa  Pull complete                        734kB
 * total 1.9MB / 3.2MB  640kB/s
 * </pre>
 * Fed by events in the shape of the image store's progress events (item, state name, bytes,
 * size, total bytes, total size); draws at most every {@code minIntervalNanos}. On a plain
 * output (not a terminal) it prints only the last total line.
 */
final class ProgressBars {
    static final int BAR = 20;

    private record Item(String state, long bytes, long size) {}

    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long minIntervalNanos;
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final long started;
    private long totalBytes;
    private long totalSize;
    private long lastDraw = Long.MIN_VALUE;
    private int linesDrawn;
    private boolean finished;

    /** {@code terminal}: redraw in place with escape codes; else print only the summary. */
    ProgressBars(PrintWriter out, boolean terminal, LongSupplier clock, long minIntervalNanos) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.minIntervalNanos = minIntervalNanos;
        this.started = clock.getAsLong();
    }

    ProgressBars(PrintWriter out, boolean terminal) {
        this(out, terminal, System::nanoTime, 100_000_000L);
    }

    /**
     * One event: {@code item} is a blob digest (null: the whole image), {@code state} one of
     * RESOLVING, WAITING, EXISTS, DOWNLOADING, RETRYING, EXTRACTING, UPLOADING, MOUNTED, DONE,
     * FAILED, COMPLETE. COMPLETE (or FAILED of the whole image) draws the last frame.
     */
    synchronized void event(String item, String state, long bytes, long size, long total, long totalOfAll) {
        if (finished) return;
        totalBytes = Math.max(totalBytes, total);
        totalSize = Math.max(totalSize, totalOfAll);
        if (item == null) {
            if (state.equals("COMPLETE") || state.equals("FAILED")) finish();
            return;
        }
        items.put(item, new Item(state, bytes, size));
        if (!terminal) return;
        long now = clock.getAsLong();
        boolean stateChange = !state.equals("DOWNLOADING") && !state.equals("UPLOADING");
        if (!stateChange && lastDraw != Long.MIN_VALUE && now - lastDraw < minIntervalNanos) return;
        lastDraw = now;
        draw();
    }

    synchronized boolean isFinished() { return finished; }

    /** The last frame (on a terminal) or the total line. */
    synchronized void finish() {
        if (finished) return;
        finished = true;
        if (terminal) draw();
        else out.println(totalLine());
        out.flush();
    }

    private void draw() {
        StringBuilder b = new StringBuilder();
        if (linesDrawn > 0) b.append("\u001B[").append(linesDrawn).append('F');   // back to the first bar's line
        for (Map.Entry<String, Item> e : items.entrySet()) {
            b.append("\u001B[2K").append(line(shortName(e.getKey()), e.getValue())).append('\n');
        }
        b.append("\u001B[2K").append(totalLine()).append('\n');
        linesDrawn = items.size() + 1;
        out.print(b);
        out.flush();
    }

    private static String line(String name, Item i) {
        String label = switch (i.state()) {
            case "EXISTS" -> "Already exists";
            case "DONE" -> "Pull complete";
            case "MOUNTED" -> "Mounted";
            case "WAITING" -> "Waiting";
            case "RETRYING" -> "Retrying";
            case "FAILED" -> "Failed";
            case "EXTRACTING" -> "Extracting";
            case "UPLOADING" -> "Pushing";
            default -> "Downloading";
        };
        boolean moving = i.state().equals("DOWNLOADING") || i.state().equals("UPLOADING") || i.state().equals("EXTRACTING")
                || i.state().equals("RETRYING");
        String amount = moving ? human(i.bytes()) + " / " + (i.size() < 0 ? "?" : human(i.size())) : human(i.size());
        return String.format(Locale.ROOT, "%-12s  %-14s %s  %s", name, label, moving ? bar(i.bytes(), i.size()) : " ".repeat(BAR + 2), amount);
    }

    /** {@code [=====>    ]}; an unknown size shows an empty bar. */
    static String bar(long done, long total) {
        int filled = total <= 0 ? 0 : (int) Math.min(BAR, done * BAR / total);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < BAR; i++) b.append(i < filled - 1 || filled == BAR ? '=' : i == filled - 1 ? '>' : ' ');
        return b.append(']').toString();
    }

    private String totalLine() {
        double seconds = Math.max(1e-3, (clock.getAsLong() - started) / 1e9);
        return "total " + human(totalBytes) + " / " + human(totalSize) + "  " + human((long) (totalBytes / seconds)) + "/s";
    }

    /** Docker's short form of a digest: 12 hex digits. */
    static String shortName(String digest) {
        String hex = digest.contains(":") ? digest.substring(digest.indexOf(':') + 1) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** Sizes as Docker prints them: decimal units, three significant digits ("1.98MB"). */
    static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        String s = v >= 100 || i == 0 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + units[i];
    }
}

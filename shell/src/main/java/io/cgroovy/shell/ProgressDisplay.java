package io.cgroovy.shell;

import io.cgroovy.dsl.ProgressView;

import java.io.PrintWriter;

/** The session's pull/push progress as {@link ProgressBars} on the terminal: a new set of bars per transfer. */
final class ProgressDisplay implements ProgressView {
    private final PrintWriter out;
    private ProgressBars bars;

    ProgressDisplay(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void event(String item, String state, long bytes, long size, long totalBytes, long totalSize) {
        if (bars == null || bars.isFinished()) bars = new ProgressBars(out, true);
        bars.event(item, state, bytes, size, totalBytes, totalSize);
    }
}

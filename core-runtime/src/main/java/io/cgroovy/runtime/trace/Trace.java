package io.cgroovy.runtime.trace;

import io.cgroovy.runtime.plan.Plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the engine did, step by step, while a trace is on for the calling thread ({@code trace { }} in the DSL):
 * per foreground run, the engine's own phases (bundle, networks, cgroup, plan) and each step of the launch plan
 * as the executor timed it (CLOCK_MONOTONIC, the clock of {@link System#nanoTime}). Traces are per thread, so
 * two shells or threads never mix their steps.
 */
public final class Trace {
    private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();

    /** One step: what it was, who did it ("engine" or "executor"), when it started and how long it took. */
    public record Step(String what, String by, long startNanos, long nanos) {}

    /** One container run: its name, its steps in order, and the time the engine measured from start to end. */
    public static final class Run {
        private final String name;
        private final long startNanos;
        private final List<Step> steps = new ArrayList<>();
        private long totalNanos = -1;

        Run(String name, long startNanos) {
            this.name = name;
            this.startNanos = startNanos;
        }

        public String name() { return name; }

        public synchronized List<Step> steps() { return List.copyOf(steps); }

        /** Nanoseconds from the start of the run to its end (cleanup included); -1 while it runs. */
        public synchronized long totalNanos() { return totalNanos; }

        /** An engine phase from {@code startNanos} to now. */
        public synchronized void phase(String what, long startNanos) {
            steps.add(new Step(what, "engine", startNanos, System.nanoTime() - startNanos));
        }

        public synchronized void add(Step s) { steps.add(s); }

        /** The steps, reordered or completed by the engine. */
        public synchronized void replaceSteps(List<Step> all) {
            steps.clear();
            steps.addAll(all);
        }

        public synchronized void end() { totalNanos = System.nanoTime() - startNanos; }

        /**
         * Adds the executor's steps from its trace file ("start NS", "step INDEX NS", "exec NS"): each step lasted from
         * the end of the one before (or the executor's start) to its own end. A missing file adds nothing.
         */
        public void addExecutorSteps(Path file, Plan plan) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                return; // a trace is a diagnosis: never fail the run over it
            }
            long prev = -1;
            for (String l : lines) {
                String[] f = l.trim().split(" ");
                try {
                    if (f[0].equals("start") && f.length == 2) {
                        prev = Long.parseLong(f[1]);
                    } else if (f[0].equals("step") && f.length == 3 && prev >= 0) {
                        int i = Integer.parseInt(f[1]);
                        long ns = Long.parseLong(f[2]);
                        String what = i >= 0 && i < plan.steps().size() ? plan.steps().get(i).description() : "step " + i;
                        add(new Step(op(plan, i) + ": " + what, "executor", prev, ns - prev));
                        prev = ns;
                    } else if (f[0].equals("exec") && f.length == 2 && prev >= 0) {
                        int i = plan.indexOf("exec");
                        long ns = Long.parseLong(f[1]);
                        add(new Step("exec: " + (i >= 0 ? plan.steps().get(i).description() : "execve"), "executor", prev, ns - prev));
                        prev = ns;
                    }
                } catch (NumberFormatException bad) {
                    // a torn line (the executor was killed): skip it
                }
            }
        }

        private static String op(Plan plan, int i) {
            return i >= 0 && i < plan.steps().size() ? plan.steps().get(i).op() : "?";
        }
    }

    private final List<Run> runs = Collections.synchronizedList(new ArrayList<>());

    private Trace() {}

    /** Starts tracing the calling thread's runs (a trace already on stays the one in use). */
    public static Trace begin() {
        Trace t = CURRENT.get();
        if (t == null) {
            t = new Trace();
            CURRENT.set(t);
        }
        return t;
    }

    /** Stops tracing the calling thread. */
    public static void end() { CURRENT.remove(); }

    /** The calling thread's trace, null when none is on. */
    public static Trace current() { return CURRENT.get(); }

    /** A new run named {@code name} in the calling thread's trace, or null when no trace is on. */
    public static Run startRun(String name) {
        Trace t = CURRENT.get();
        if (t == null) return null;
        Run r = new Run(name, System.nanoTime());
        t.runs.add(r);
        return r;
    }

    public List<Run> runs() {
        synchronized (runs) {
            return List.copyOf(runs);
        }
    }
}

package io.cgroovy.runtime;

import io.cgroovy.runtime.plan.Plan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One foreground run of the executor on a plan ({@code cgroovy-executor PLAN STATUS}): its process, the
 * threads copying between it and the caller's {@link Stdio}, and its status file. Foreground containers
 * and exec both run the executor through it.
 *
 * <p>An interrupt of the calling thread is taken (the executor is stopped) and remembered in
 * {@link #interrupted()}, never set again here: file locks taken in the caller's cleanup would fail on
 * the flag, so the caller gives it back when its cleanup is done.
 */
final class ExecutorRun implements AutoCloseable {
    private final Process process;
    private final Path status;
    private final List<Thread> pumps = new ArrayList<>();
    private boolean interrupted;

    private ExecutorRun(Process process, Path status) {
        this.process = process;
        this.status = status;
    }

    /**
     * Runs the executor on a plan and returns the exit status; a failing step throws a ContainerException
     * "{@code what}: step: error". An interrupt stops it and keeps the thread's interrupt flag.
     */
    static int run(Path executor, Path planFile, Path status, Plan plan, Stdio stdio, String what) {
        ExecutorRun run = null;
        try {
            run = start(executor, planFile, status, stdio, null, what);
            return run.result(run.waitFor(), plan, what + ": ");
        } catch (IOException | UncheckedIOException e) {
            throw new ContainerException(what + ": " + e.getMessage(), e);
        } finally {
            if (run != null) {
                run.close();
                if (run.interrupted()) Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts the executor with only CGROOVY_PARENT_PID (and CGROOVY_TRACE={@code traceFile} unless null)
     * in its environment, its stdio the JVM's or piped to {@code stdio}'s streams (a null one is /dev/null).
     * {@code what} names the copying threads.
     */
    static ExecutorRun start(Path executor, Path planFile, Path status, Stdio stdio, Path traceFile, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(executor.toString(), planFile.toString(), status.toString());
        pb.environment().clear();
        pb.environment().put("CGROOVY_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        if (traceFile != null) pb.environment().put("CGROOVY_TRACE", traceFile.toString());
        boolean piped = stdio != null && !stdio.inherit();
        if (!piped) {
            pb.inheritIO();
        } else {
            pb.redirectInput(stdio.in() == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()) : ProcessBuilder.Redirect.PIPE);
            pb.redirectOutput(stdio.out() == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
            pb.redirectError(stdio.err() == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
        }
        ExecutorRun run = new ExecutorRun(pb.start(), status);
        if (piped) {
            Process p = run.process;
            if (stdio.in() != null) run.pumps.add(pump("stdin " + what, stdio.in(), p.getOutputStream(), true, false));
            if (stdio.out() != null) run.pumps.add(pump("stdout " + what, p.getInputStream(), stdio.out(), false, true));
            if (stdio.err() != null) run.pumps.add(pump("stderr " + what, p.getErrorStream(), stdio.err(), false, true));
        }
        return run;
    }

    Process process() { return process; }

    /** Whether an interrupt of the calling thread was taken meanwhile (see the class comment). */
    boolean interrupted() { return interrupted; }

    /** Waits for the executor; an interrupt stops it (SIGTERM, forwarded to the container; SIGKILL after the grace period). */
    int waitFor() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            interrupted = true;
            return stop();
        }
    }

    /**
     * After {@link #waitFor}: waits until the container's output is copied, then reads the status file:
     * "exit N" gives N, no status gives {@code code}, "error INDEX ERRNO TEXT" throws a ContainerException
     * {@code prefix} + the failed step's message.
     */
    int result(int code, Plan plan, String prefix) {
        for (Thread t : pumps) {
            if (!t.isDaemon()) join(t); // not stdin: it may block on the caller's stream
        }
        String st = readStatus();
        if (st.startsWith("error ")) {
            String[] f = st.split(" ", 4);
            throw new ContainerException(prefix + plan.failureMessage(Integer.parseInt(f[1]), Integer.parseInt(f[2]), f.length > 3 ? f[3] : ""));
        }
        if (st.startsWith("exit ")) return Integer.parseInt(st.substring(5).trim());
        return code;
    }

    /** Kills the executor if it still runs, waits for it and stops the copying threads. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitQuietly();
        }
        for (Thread t : pumps) t.interrupt();
    }

    private int stop() {
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Engine.STOP_GRACE_MS);
        while (process.isAlive() && System.nanoTime() < deadline) {
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // already stopping
            }
        }
        if (process.isAlive()) process.destroyForcibly();
        return waitQuietly();
    }

    private int waitQuietly() {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    private void join(Thread t) {
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    private String readStatus() {
        try {
            return Files.readString(status).trim();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread pump(String name, InputStream in, OutputStream out, boolean closeOut, boolean wait) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the container went away or the caller's stream closed
            } finally {
                if (closeOut) {
                    try {
                        out.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
            }
        }, "cgroovy " + name);
        t.setDaemon(!wait);
        t.start();
        return t;
    }
}

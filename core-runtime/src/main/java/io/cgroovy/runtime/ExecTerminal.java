package io.cgroovy.runtime;

import java.nio.file.Path;

/**
 * The pseudo-terminal of one exec ({@code docker exec -t}): opened inside the container's devpts,
 * so {@code tty} there names it; the caller's stdin goes to it and everything it shows to stdout.
 * {@link #resize} sets its window size: before the process starts, the size it starts with.
 */
public final class ExecTerminal {
    private volatile int rows, cols;
    private volatile Path control;
    private volatile boolean ended;

    /** A terminal of {@code rows} x {@code cols}; 0 x 0 leaves the kernel's default until the first resize. */
    public ExecTerminal(int rows, int cols) {
        this.rows = Math.max(0, rows);
        this.cols = Math.max(0, cols);
    }

    int rows() { return rows; }

    int cols() { return cols; }

    /** Set by {@link Exec} when the executor is about to listen there; cleared when it has ended. */
    void control(Path socket) { this.control = socket; }

    void ended() { this.ended = true; }

    /**
     * Sets the window size (the process gets SIGWINCH). Throws when the process has ended, or when
     * it is still starting and its terminal does not answer within a few seconds.
     */
    public void resize(int rows, int cols) {
        if (rows <= 0 || cols <= 0) throw new ContainerException("resize: the window size must be positive (got " + rows + "x" + cols + ")");
        this.rows = rows;
        this.cols = cols;
        String answer = "error the exec has not started";
        for (int i = 0; i < 50 && !ended; i++) {
            Path c = control;
            if (c == null) return; // not started: it starts with this size
            answer = MonitorSocket.command(c, "resize " + rows + " " + cols);
            if (answer.equals("ok")) return;
            try {
                Thread.sleep(100); // the executor binds its socket a moment after it starts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (ended) throw new ContainerException("resize: the exec has ended");
        throw new ContainerException("resize: " + answer.replaceFirst("^error ", ""));
    }
}

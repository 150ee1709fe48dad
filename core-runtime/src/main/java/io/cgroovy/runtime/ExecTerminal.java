package io.cgroovy.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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

    /** After this no resize writes anything (the caller then removes the socket and the size file). */
    synchronized void ended() { this.ended = true; }

    /** Where a resize leaves the size for an executor that does not listen on {@code control} yet. */
    static Path sizeFile(Path control) { return control.resolveSibling(control.getFileName() + ".size"); }

    /**
     * Sets the window size (the process gets SIGWINCH). Throws when the process has ended, or when
     * it is still starting and its terminal does not answer within a few seconds.
     *
     * <p>No size is lost to the start: before {@link #control} is set the plan takes it; after, it is
     * written to {@link #sizeFile} first, and an executor that has not listened yet (no socket) reads
     * that file once it has the terminal, before the process runs; one that listens takes it on the socket.
     */
    public synchronized void resize(int rows, int cols) {
        if (rows <= 0 || cols <= 0) throw new ContainerException("resize: the window size must be positive (got " + rows + "x" + cols + ")");
        this.rows = rows;
        this.cols = cols;
        String answer = "error the exec has not started";
        Path c = control;
        if (c == null) return; // not started: it starts with this size
        if (ended) throw new ContainerException("resize: the exec has ended");
        try {
            Path tmp = c.resolveSibling(c.getFileName() + ".size.tmp");
            Files.writeString(tmp, rows + " " + cols + "\n");
            Files.move(tmp, sizeFile(c), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("resize: cannot write " + sizeFile(c) + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < 50 && !ended; i++) {
            if (!Files.exists(c, LinkOption.NOFOLLOW_LINKS)) return; // not listening yet: it reads the size file
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

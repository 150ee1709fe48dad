package io.cgroovy.runtime.plan;

import io.cgroovy.runtime.ContainerException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An ordered list of steps for the C executor. Written as:
 * <pre>
 * CGROOVY-PLAN 1\n
 * &lt;number of steps&gt;\n
 * per step:     &lt;op&gt; &lt;number of args&gt;\n
 * per argument: &lt;length in bytes&gt;\n&lt;bytes&gt;\n
 * </pre>
 * The executor reports the first failing step as (index, errno); {@link #failureMessage} turns that
 * into the one-line message users see.
 */
public record Plan(List<Step> steps) {
    public static final String MAGIC = "CGROOVY-PLAN 1\n";

    public Plan {
        steps = List.copyOf(steps);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        write(out, MAGIC);
        write(out, steps.size() + "\n");
        for (Step s : steps) {
            if (!s.op().matches("[a-z-]+")) throw new IllegalArgumentException("bad step op " + s.op());
            write(out, s.op() + " " + s.args().size() + "\n");
            for (String a : s.args()) {
                if (a.indexOf('\0') >= 0) throw new ContainerException(s.description() + ": argument contains a NUL byte");
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                write(out, b.length + "\n");
                out.writeBytes(b);
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public void write(Path file) {
        try {
            Files.write(file, encode());
        } catch (IOException e) {
            throw new UncheckedIOException("write launch plan " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The message for a failure the executor reported: the failing step's description and the
     * error text ("mount proc on /proc: Operation not permitted"). Index -1 is the plan itself.
     */
    public String failureMessage(int index, int errno, String errorText) {
        String text = errorText == null || errorText.isBlank() ? "error " + errno : errorText.strip();
        if (index < 0 || index >= steps.size()) return "launch plan: " + text;
        return steps.get(index).description() + ": " + text;
    }

    /** The index of the first step with this op, or -1. */
    public int indexOf(String op) {
        for (int i = 0; i < steps.size(); i++) if (steps.get(i).op().equals(op)) return i;
        return -1;
    }
}

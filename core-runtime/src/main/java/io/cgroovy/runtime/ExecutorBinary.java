package io.cgroovy.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The C executor and monitor shipped in the jar (built by Maven into io/cgroovy/runtime/native/). Each
 * is installed once per state root as {@code <root>/bin/cgroovy-executor-<sha256 prefix>} (or
 * {@code cgroovy-monitor-...}), mode 0555,
 * written to a temporary file and renamed into place, so a half-written binary is never run and
 * a changed build gets a new name. The JVM itself never opens the binary for writing: a process it
 * forks at that moment on another thread (a serve request, a test's tool) would inherit the open fd
 * until it execs, and running the binary in that window fails with ETXTBSY ("Text file busy"). So
 * the JVM writes the bytes to a plain data file and {@code cp} makes the executable from it.
 */
public final class ExecutorBinary {
    static final String RESOURCE = "/io/cgroovy/runtime/native/cgroovy-executor";
    static final String MONITOR = "/io/cgroovy/runtime/native/cgroovy-monitor";

    private ExecutorBinary() {}

    /** The executor, installed under {@code root}/bin (once per build). */
    public static Path install(Path root) { return install(root, RESOURCE); }

    /** The monitor of detached containers. */
    static Path installMonitor(Path root) { return install(root, MONITOR); }

    private static Path install(Path root, String resource) {
        String base = resource.substring(resource.lastIndexOf('/') + 1);
        byte[] bytes;
        try (InputStream in = ExecutorBinary.class.getResourceAsStream(resource)) {
            if (in == null) throw new ContainerException("the " + base + " binary is missing from the build (" + resource + ")");
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ContainerException("cannot read " + base + " from the build: " + e.getMessage(), e);
        }
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path bin = root.resolve("bin");
        Path target = bin.resolve(base + "-" + sha);
        try {
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) return target;
            Files.createDirectories(bin);
            Path data = Files.createTempFile(bin, "." + base + "-", ".data");
            Path tmp = data.resolveSibling(data.getFileName().toString().replaceFirst("\\.data$", ".tmp"));
            try {
                Files.write(data, bytes);
                copyOutsideTheJvm(data, tmp);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(data);
            }
            return target;
        } catch (IOException e) {
            throw new ContainerException("cannot install " + base + " in " + bin + ": " + e.getMessage(), e);
        }
    }

    /** cp from to: the only write fd of the executable-to-be is cp's, which no process of the JVM inherits. */
    private static void copyOutsideTheJvm(Path from, Path to) throws IOException {
        Process cp = new ProcessBuilder("cp", "--", from.toString(), to.toString()).redirectErrorStream(true).start();
        cp.getOutputStream().close();
        String said = new String(cp.getInputStream().readAllBytes()).trim();
        try {
            if (cp.waitFor() != 0) throw new IOException("cp: " + said);
        } catch (InterruptedException e) {
            cp.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying " + from.getFileName());
        }
    }
}

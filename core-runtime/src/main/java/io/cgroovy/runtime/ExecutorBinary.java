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
 * a changed build gets a new name.
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
            Path tmp = Files.createTempFile(bin, "." + base + "-", ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new ContainerException("cannot install " + base + " in " + bin + ": " + e.getMessage(), e);
        }
    }
}

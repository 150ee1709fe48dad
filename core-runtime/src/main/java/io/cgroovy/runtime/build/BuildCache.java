package io.cgroovy.runtime.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * The build cache of a state root: {@code build-cache/<key>} holds the image id a step made.
 * The key is a digest of the parent image id, the step as written and the digests of what it
 * copies, so a hit means the same step on the same parent with the same inputs.
 */
final class BuildCache {
    private final Path dir;

    BuildCache(Path root) {
        this.dir = root.resolve("build-cache");
    }

    static String key(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<String> get(String key) {
        try {
            Path f = dir.resolve(key);
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void put(String key, String imageId) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            Files.writeString(tmp, imageId + "\n");
            Files.move(tmp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // a cache that cannot be written only costs a rebuild
        }
    }

    /** Drops every entry (and what a crashed put left); returns how many entries there were. */
    int clear() {
        int n = 0;
        if (!Files.isDirectory(dir)) return 0;
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".tmp-")) n++;
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new io.cgroovy.runtime.ContainerException("cannot clear the build cache " + dir + ": " + e.getMessage(), e);
        }
        return n;
    }
}

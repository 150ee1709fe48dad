package io.cgroovy.runtime.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reads small files of an image as the merged overlay would show them, without mounting it:
 * the layer directories are searched top-down; a whiteout (a 0/0 character device in kernel
 * form) or a non-directory in a higher layer hides everything below. Symlinks are not followed
 * (a symlinked /etc/passwd reads as absent), so nothing outside the layers is ever read.
 */
public final class RootfsView {
    private final List<Path> topFirst;

    /** @param layersLowestFirst unpacked layer directories, lowest first (as in a Snapshot) */
    public RootfsView(List<Path> layersLowestFirst) {
        List<Path> l = new ArrayList<>(layersLowestFirst);
        Collections.reverse(l);
        this.topFirst = List.copyOf(l);
    }

    /** The text of the file at an absolute container path, if it exists as a regular file. */
    public Optional<String> read(String containerPath) {
        String rel = containerPath.replaceAll("^/+", "");
        String[] parts = rel.split("/");
        layers:
        for (Path layer : topFirst) {
            Path p = layer;
            for (int i = 0; i < parts.length; i++) {
                p = p.resolve(parts[i]);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue layers;
                try {
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isOther() || a.isSymbolicLink()) return Optional.empty(); // whiteout or link: hidden
                    boolean last = i == parts.length - 1;
                    if (!last && !a.isDirectory()) return Optional.empty();
                    if (last) {
                        if (!a.isRegularFile() || a.size() > 4 << 20) return Optional.empty();
                        return Optional.of(Files.readString(p));
                    }
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}

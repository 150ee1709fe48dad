package io.cgroovy.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Resolves entry paths inside a layer being unpacked, one component at a time with lstat.
 * A component that is a symlink is refused, whatever it points to: a layer's own files never
 * need to be reached through its own links, and refusing is simpler to prove safe than
 * following links as if chrooted. The unpack dir is private to this process (a fresh temp
 * dir under the locked store), so nothing can swap a component between check and use.
 */
final class InRoot {
    private InRoot() {}

    /**
     * The directory that holds the last component of {@code comps}; missing parents are
     * created (mode 0755) when {@code create}, as tar extraction does for implicit dirs.
     */
    static Path parent(Path root, List<String> comps, String entry, String layer, boolean create) {
        return parent(root, comps, entry, layer, create, null);
    }

    /**
     * As above, skipping the lstat of dirs in {@code known}: dirs this extraction has already seen
     * to be real directories (nothing else writes the private unpack dir, and {@link #clear} forgets
     * them when it removes a directory). Saves two syscalls and a Java exception per entry.
     */
    static Path parent(Path root, List<String> comps, String entry, String layer, boolean create, java.util.Set<Path> known) {
        Path cur = root;
        for (int i = 0; i < comps.size() - 1; i++) {
            Path next = cur.resolve(comps.get(i));
            if (known != null && known.contains(next)) {
                cur = next;
                continue;
            }
            BasicFileAttributes a = lstat(next);
            if (a == null) {
                if (!create) throw new ImageException("layer " + layer + ": entry '" + entry + "': '" + prefix(comps, i) + "' does not exist");
                try {
                    Files.createDirectory(next);
                    LibC.INSTANCE.chmod(next.toString(), 0755);
                } catch (IOException e) {
                    throw new UncheckedIOException("create " + next, e);
                }
            } else if (a.isSymbolicLink()) {
                throw new ImageException("layer " + layer + ": entry '" + entry + "' goes through symlink '" + prefix(comps, i) + "'");
            } else if (!a.isDirectory()) {
                throw new ImageException("layer " + layer + ": entry '" + entry + "': '" + prefix(comps, i) + "' is not a directory");
            }
            if (known != null) known.add(next);
            cur = next;
        }
        return cur;
    }

    /** The parent dir of the entry {@code comps} when every dir on the way is in {@code known}; else null (the tree must be looked at). */
    static Path knownParent(Path root, List<String> comps, java.util.Set<Path> known) {
        Path cur = root;
        for (int i = 0; i < comps.size() - 1; i++) {
            cur = cur.resolve(comps.get(i));
            if (!known.contains(cur)) return null;
        }
        return cur;
    }

    /** lstat: attributes of the path itself, or null when nothing is there. */
    static BasicFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("lstat " + p, e);
        }
    }

    /** Clears whatever an earlier entry put at {@code p} (never following a link). */
    static void clear(Path p) { clear(p, null); }

    /** As above; a directory removed is forgotten from {@code known}, with everything under it. */
    static void clear(Path p, java.util.Set<Path> known) {
        BasicFileAttributes a = lstat(p);
        if (a == null) return;
        if (a.isDirectory()) {
            if (known != null) known.removeIf(k -> k.startsWith(p));
            AtomicFiles.deleteTree(p);
        }
        else {
            try {
                Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException("remove " + p, e);
            }
        }
    }

    private static String prefix(List<String> comps, int last) {
        return String.join("/", comps.subList(0, last + 1));
    }
}

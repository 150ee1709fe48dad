package io.cgroovy.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Keeps what a container that ended leaves for diff, copy and commit: its upper directory and a
 * record of how it ran. Everything else of the container directory (bundle, plan, overlay work
 * dir) goes at once.
 */
final class KeptFilesystems {
    static final String RECORD = "kept.json";
    private static final Set<String> KEEP = Set.of("upper", RECORD, "volumes", "anonymous-volumes", UsernsRootfs.RECORD);
    private static final ObjectMapper JSON = new ObjectMapper();

    private KeptFilesystems() {}

    /** Writes the record first (atomically: from then on the directory is a kept container), then drops the rest. */
    static void keep(Path dir, KeptContainer c) throws IOException {
        Path tmp = dir.resolve(RECORD + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(c));
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (KEEP.contains(p.getFileName().toString())) continue;
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Engine.removeTree(p);
                else Files.deleteIfExists(p);
            }
        }
    }

    static KeptContainer read(Path dir) {
        try {
            return JSON.readValue(Files.readAllBytes(dir.resolve(RECORD)), KeptContainer.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ContainerException("container record " + dir.resolve(RECORD) + " is unreadable: " + e.getMessage(), e);
        }
    }

    static List<KeptContainer> all(Path containers) {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(containers)) {
            for (Path d : ds) if (Files.isRegularFile(d.resolve(RECORD))) dirs.add(d);
        } catch (IOException e) {
            throw new ContainerException("cannot read " + containers + ": " + e.getMessage(), e);
        }
        dirs.sort(Comparator.comparing(d -> {
            try {
                return Files.getLastModifiedTime(d.resolve(RECORD));
            } catch (IOException e) {
                return java.nio.file.attribute.FileTime.fromMillis(0);
            }
        }));
        List<KeptContainer> out = new ArrayList<>();
        for (Path d : dirs) {
            KeptContainer c = read(d);
            if (c != null) out.add(c);
        }
        return out;
    }

    static KeptContainer find(Path containers, String idOrName) {
        if (idOrName == null || idOrName.isBlank()) throw new ContainerException("no such container: (empty name)");
        List<KeptContainer> hits = new ArrayList<>();
        for (KeptContainer c : all(containers)) {
            if (c.id().equals(idOrName) || idOrName.equals(c.name())) return c;
            if (idOrName.matches("[0-9a-f]{4,63}") && c.id().startsWith(idOrName)) hits.add(c);
        }
        if (hits.size() > 1) throw new ContainerException("ambiguous container id prefix '" + idOrName + "': " + hits.size() + " containers match");
        if (hits.isEmpty()) throw new ContainerException("no such container: " + idOrName);
        return hits.get(0);
    }
}

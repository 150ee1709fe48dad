package io.cgroovy.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Image records under {@code images/}, one JSON file per image named by its config hex. Each
 * file is replaced atomically, so readers need no lock; writers run under the store lock.
 */
final class RecordStore {
    private final Path dir;

    RecordStore(Path root) {
        this.dir = root.resolve("images");
    }

    List<StoredImage> all() {
        List<StoredImage> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                StoredImage s = read(p);
                if (s != null) out.add(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
        out.sort(Comparator.comparing(s -> s.id));
        return out;
    }

    StoredImage get(String id) {
        return read(dir.resolve(Digest.hex(id) + ".json"));
    }

    void put(StoredImage s) {
        AtomicFiles.write(dir.resolve(Digest.hex(s.id) + ".json"), Json.write(s));
    }

    void delete(String id) {
        try {
            Files.deleteIfExists(dir.resolve(Digest.hex(id) + ".json"));
            AtomicFiles.fsyncDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("remove record " + id, e);
        }
    }

    private static StoredImage read(Path p) {
        try {
            return Json.MAPPER.readValue(Files.readAllBytes(p), StoredImage.class);
        } catch (NoSuchFileException e) {
            return null; // removed by a writer between listing and reading
        } catch (IOException e) {
            throw new ImageException("image record " + p + " is unreadable: " + Json.firstLine(e.getMessage()));
        }
    }
}

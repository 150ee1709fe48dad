package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** An OCI image-layout directory. Names are built from checked digests, so they stay inside it. */
final class DirSource implements ArchiveSource {
    private final Path dir;

    DirSource(Path dir) {
        this.dir = dir;
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(dir.resolve(name));
    }

    @Override
    public InputStream open(String name) {
        Path p = dir.resolve(name);
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) throw new ImageException(describe() + ": " + name + " is a directory");
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            throw new ImageException(describe() + ": " + name + " is missing");
        } catch (IOException e) {
            throw new UncheckedIOException("open " + p, e);
        }
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public void close() {
        // nothing held open
    }
}

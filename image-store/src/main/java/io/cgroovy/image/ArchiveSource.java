package io.cgroovy.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Read access to named files of an image source: an OCI layout directory or a tar archive. */
interface ArchiveSource extends Closeable {
    boolean exists(String name);

    /** Opens a file; an ImageException naming it when absent. */
    InputStream open(String name);

    String describe();

    /** Reads a small document (manifest, config, index), bounded so a hostile source cannot exhaust memory. */
    default byte[] readSmall(String name) {
        try (InputStream in = open(name)) {
            byte[] b = in.readNBytes(BlobStore.MAX_DOCUMENT + 1);
            if (b.length > BlobStore.MAX_DOCUMENT) throw new ImageException(describe() + ": " + name + " is too large");
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("read " + name + " in " + describe(), e);
        }
    }

    @Override
    void close();
}

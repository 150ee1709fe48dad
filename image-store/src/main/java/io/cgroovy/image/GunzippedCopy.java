package io.cgroovy.image;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * {@code docker save | gzip} archives: a tar must be read with random access, so a gzipped one
 * is first expanded (bounded) to a temp file in the store, which {@link ImageStore#open} sweeps
 * if this process dies before deleting it.
 */
final class GunzippedCopy implements AutoCloseable {
    final Path file;

    private GunzippedCopy(Path file) {
        this.file = file;
    }

    static boolean isGzip(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(2);
            return m.length == 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b;
        } catch (IOException e) {
            throw new UncheckedIOException("read " + p, e);
        }
    }

    static GunzippedCopy of(Path gz, Path tmpDir, long maxBytes) {
        Path tmp = tmpDir.resolve(AtomicFiles.TMP_PREFIX + "archive-" + UUID.randomUUID());
        try (InputStream in = new BoundedInputStream(new GzipCompressorInputStream(Files.newInputStream(gz), true), maxBytes, gz.toString());
             OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(out);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new ImageException(gz + ": not a valid gzip file (" + Json.firstLine(e.getMessage()) + ")", e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
        return new GunzippedCopy(tmp);
    }

    @Override
    public void close() {
        AtomicFiles.deleteQuietly(file);
    }
}

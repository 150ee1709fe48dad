package io.cgroovy.image;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Opens a layer blob as a tar stream; the compression is sniffed from magic bytes, not trusted from the mediaType. */
final class Decompress {
    private Decompress() {}

    static InputStream open(InputStream raw, String layer) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in, true); // true: images may concatenate gzip members
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new io.airlift.compress.zstd.ZstdInputStream(in);
        }
        return in;
    }
}

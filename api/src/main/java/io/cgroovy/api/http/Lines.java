package io.cgroovy.api.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads one CRLF- (or LF-) ended protocol line, bounded so a client cannot make us buffer forever. */
final class Lines {
    static final int MAX = 16 * 1024;

    private Lines() {}

    /** The line without its end, or null at end of stream before any byte. */
    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (line.size() == 0) return null;
                throw new ApiError(400, "connection closed inside a header line");
            }
            if (c == '\n') break;
            if (line.size() >= MAX) throw new ApiError(431, "header line longer than " + MAX + " bytes");
            line.write(c);
        }
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
    }
}

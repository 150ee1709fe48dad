package io.cgroovy.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's Docker json-file log ({@code {"log":"...","stream":"stdout","time":"..."}} per
 * line, written by its monitor) back into stdout and stderr, like {@code docker logs [--tail N] [-f]}.
 */
final class ContainerLogs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainerLogs() {}

    /**
     * Copies the records of {@code log}: the last {@code tail} ones (all when negative), then with
     * {@code follow} the new ones as they come, until {@code running} turns false and the file has
     * been read to its end (or the thread is interrupted).
     */
    static void copy(Path log, int tail, boolean follow, BooleanSupplier running, OutputStream out, OutputStream err) throws IOException {
        long pos = 0;
        if (Files.exists(log)) {
            ArrayDeque<byte[]> last = new ArrayDeque<>();
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                byte[] buf = new byte[65536];
                int n;
                long readTo = 0;
                while ((n = f.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            if (tail == 0) { line.reset(); continue; }
                            last.add(line.toByteArray());
                            if (tail > 0 && last.size() > tail) last.removeFirst();
                            else if (tail < 0 && last.size() > 1024) flush(last, out, err);
                            line.reset();
                        } else line.write(buf[i]);
                    }
                    readTo += n;
                }
                pos = readTo - line.size(); // an unfinished last line is read again when following
            }
            flush(last, out, err);
        }
        if (!follow) return;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!Thread.currentThread().isInterrupted()) {
            boolean alive = running.getAsBoolean(); // before reading: what the monitor wrote before it ended is read
            boolean any = false;
            if (Files.exists(log)) {
                try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                    if (f.length() < pos) pos = 0;
                    f.seek(pos);
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = f.read(buf)) > 0) {
                        any = true;
                        pos += n;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                emit(line.toByteArray(), out, err);
                                line.reset();
                            } else line.write(buf[i]);
                        }
                    }
                }
            }
            if (!alive && !any) return;
            if (!any) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void flush(ArrayDeque<byte[]> lines, OutputStream out, OutputStream err) throws IOException {
        while (!lines.isEmpty()) emit(lines.removeFirst(), out, err);
    }

    private static void emit(byte[] record, OutputStream out, OutputStream err) throws IOException {
        if (record.length == 0) return;
        JsonNode n;
        try {
            n = JSON.readTree(record);
        } catch (IOException e) {
            return; // a torn record (the host crashed mid-write): skipped like Docker does
        }
        byte[] text = n.path("log").asText("").getBytes(StandardCharsets.UTF_8);
        OutputStream to = "stderr".equals(n.path("stream").asText()) ? err : out;
        if (to != null) {
            to.write(text);
            to.flush();
        }
    }
}

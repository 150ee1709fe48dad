package io.cgroovy.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The offline default image: one layer made from the host's statically linked busybox
 * (Debian's busybox-static) with an applet symlink per command in /bin. Everything is fixed
 * (mtimes, owners, entry order, gzip header), so one busybox binary always gives one image id.
 */
final class BusyboxImage {
    static final String TAG = "busybox:latest";
    static final String CREATED = "1970-01-01T00:00:00Z";
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    final byte[] layer;    // gzip
    final String diffId;
    final byte[] config;

    private BusyboxImage(byte[] layer, String diffId, byte[] config) {
        this.layer = layer;
        this.diffId = diffId;
        this.config = config;
    }

    static BusyboxImage build(Path busybox) {
        if (!Files.isRegularFile(busybox)) throw new ImageException("busybox-static is not installed: apt-get install busybox-static");
        try {
            byte[] tar = layerTar(busybox, applets(busybox));
            String diffId = Digest.of(tar);
            return new BusyboxImage(gzip(tar), diffId, Json.write(config(diffId, busybox)));
        } catch (IOException e) {
            throw new UncheckedIOException("build busybox image from " + busybox, e);
        }
    }

    /** The applet names the binary itself reports, sorted so the layer does not depend on its order. */
    static List<String> applets(Path busybox) throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new ImageException(busybox + " --list failed; is it busybox-static?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException(busybox + " --list was interrupted");
        }
        TreeSet<String> names = new TreeSet<>();
        for (String line : out.split("\n")) {
            String n = line.trim();
            if (!n.isEmpty() && !n.contains("/") && !n.equals("busybox") && !n.equals(".") && !n.equals("..")) names.add(n);
        }
        if (!names.contains("sh")) throw new ImageException(busybox + " has no sh applet; is it busybox-static?");
        return new ArrayList<>(names);
    }

    private static byte[] layerTar(Path busybox, List<String> applets) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            // entries in sorted order; dirs before their contents
            dir(tar, "bin/", 0755);
            file(tar, "bin/busybox", 0755, Files.readAllBytes(busybox));
            for (String a : applets) link(tar, "bin/" + a, "busybox");
            dir(tar, "dev/", 0755);
            dir(tar, "etc/", 0755);
            file(tar, "etc/group", 0644, ("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\n"
                    + "disk:x:6:\nwheel:x:10:\nusers:x:100:\nnogroup:x:65534:\n").getBytes(StandardCharsets.UTF_8));
            file(tar, "etc/passwd", 0644, ("root:x:0:0:root:/root:/bin/sh\n"
                    + "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8));
            dir(tar, "home/", 0755);
            dir(tar, "proc/", 0555);
            dir(tar, "root/", 0700);
            dir(tar, "sys/", 0555);
            dir(tar, "tmp/", 01777);
            dir(tar, "usr/", 0755);
            dir(tar, "usr/bin/", 0755);
            dir(tar, "usr/sbin/", 0755);
            dir(tar, "var/", 0755);
            dir(tar, "var/tmp/", 01777);
            tar.finish();
        }
        return bytes.toByteArray();
    }

    private static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(mode);
        e.setIds(0, 0);
        e.setUserName("root");
        e.setGroupName("root");
        e.setModTime(0);
        return e;
    }

    private static void dir(TarArchiveOutputStream tar, String name, int mode) throws IOException {
        tar.putArchiveEntry(entry(name, TarArchiveEntry.LF_DIR, mode));
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, int mode, byte[] content) throws IOException {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL, mode);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_SYMLINK, 0777);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        GzipParameters params = new GzipParameters();
        params.setModificationTime(0); // no timestamp in the header: same input, same blob
        params.setOperatingSystem(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out, params)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static ImageConfig config(String diffId, Path busybox) {
        ImageConfig c = new ImageConfig();
        c.architecture = Documents.hostArchitecture();
        c.os = "linux";
        c.created = CREATED;
        c.config.env = List.of(PATH_ENV);
        c.config.cmd = List.of("sh");
        c.rootfs.type = "layers";
        c.rootfs.diffIds = List.of(diffId);
        ImageConfig.History h = new ImageConfig.History();
        h.created = CREATED;
        h.createdBy = "cgroovy: busybox-static from " + busybox;
        h.comment = "offline default image";
        c.history = List.of(h);
        return c;
    }
}

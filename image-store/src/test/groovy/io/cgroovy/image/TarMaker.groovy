package io.cgroovy.image

import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream

import java.nio.charset.StandardCharsets

/** Builds real tar archives entry by entry (crafted layers, docker save archives) for the specs. */
class TarMaker {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream()
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 'UTF-8')

    // preserveAbsolutePath=true everywhere: the specs need names exactly as written, '/abs' included
    TarMaker() {
        tar.longFileMode = TarArchiveOutputStream.LONGFILE_POSIX
        tar.bigNumberMode = TarArchiveOutputStream.BIGNUMBER_POSIX
    }

    TarMaker dir(String name, int mode = 0755, int uid = 0, int gid = 0) {
        def e = new TarArchiveEntry(name.endsWith('/') ? name : name + '/', TarArchiveEntry.LF_DIR, true)
        e.mode = mode; e.setIds(uid, gid); e.modTime = 1000000000000L
        tar.putArchiveEntry(e); tar.closeArchiveEntry(); this
    }

    TarMaker file(String name, String content, int mode = 0644, int uid = 0, int gid = 0) {
        file(name, content.getBytes(StandardCharsets.UTF_8), mode, uid, gid)
    }

    TarMaker file(String name, byte[] content, int mode = 0644, int uid = 0, int gid = 0, long mtime = 1000000000000L) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true)
        e.mode = mode; e.setIds(uid, gid); e.size = content.length; e.modTime = mtime
        tar.putArchiveEntry(e); tar.write(content); tar.closeArchiveEntry(); this
    }

    TarMaker symlink(String name, String target) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true)
        e.linkName = target; e.mode = 0777; e.modTime = 1000000000000L
        tar.putArchiveEntry(e); tar.closeArchiveEntry(); this
    }

    TarMaker hardlink(String name, String target) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true)
        e.linkName = target; e.modTime = 1000000000000L
        tar.putArchiveEntry(e); tar.closeArchiveEntry(); this
    }

    TarMaker chardev(String name, int major, int minor) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_CHR)
        e.devMajor = major; e.devMinor = minor; e.mode = 0666
        tar.putArchiveEntry(e); tar.closeArchiveEntry(); this
    }

    byte[] bytes() {
        tar.finish(); tar.close()
        bytes.toByteArray()
    }

    static byte[] gzip(byte[] data) {
        def out = new ByteArrayOutputStream()
        new GzipCompressorOutputStream(out).withCloseable { it.write(data) }
        out.toByteArray()
    }

    static String sha256(byte[] data) { Digest.of(data) }
}

package io.cgroovy.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A tar archive read in place (random access, nothing extracted): a {@code docker save}
 * archive or an OCI layout in a tar. Symlink entries (docker save links duplicate layers)
 * are followed within the archive's own names only.
 */
final class TarSource implements ArchiveSource {
    private static final int MAX_LINK_HOPS = 8;
    private final Path file;
    private final String shownAs;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();

    TarSource(Path file) {
        this(file, file.toString());
    }

    /** @param shownAs the name errors use (the user's file when this one is its unpacked copy) */
    TarSource(Path file, String shownAs) {
        this.file = file;
        this.shownAs = shownAs;
        try {
            this.tar = new TarFile(file);
        } catch (IOException e) {
            throw new ImageException(shownAs + ": not a readable tar archive (" + Json.firstLine(e.getMessage()) + ")");
        }
        for (TarArchiveEntry e : tar.getEntries()) {
            entries.put(clean(e.getName()), e); // a later entry of the same name wins, as in extraction
        }
    }

    @Override
    public boolean exists(String name) {
        try {
            return find(name) != null;
        } catch (ImageException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String name) {
        TarArchiveEntry e = find(name);
        if (e == null) throw new ImageException(describe() + ": " + name + " is missing");
        try {
            return tar.getInputStream(e);
        } catch (IOException x) {
            throw new UncheckedIOException("read " + name + " in " + file, x);
        }
    }

    private TarArchiveEntry find(String name) {
        String n = clean(name);
        for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
            TarArchiveEntry e = entries.get(n);
            if (e == null) return null;
            if (e.isFile()) return e;
            if (e.isSymbolicLink()) n = resolve(n, e.getLinkName());
            else if (e.isLink()) n = clean(e.getLinkName());
            else return null;
        }
        throw new ImageException(describe() + ": too many links resolving " + name);
    }

    /** A symlink target relative to the link's dir, normalised; leaving the archive is an error. */
    private String resolve(String link, String target) {
        if (target.startsWith("/")) throw new ImageException(describe() + ": " + link + " links outside the archive");
        int slash = link.lastIndexOf('/');
        String base = slash < 0 ? "" : link.substring(0, slash + 1);
        Path p = Path.of("/" + base + target).normalize();
        return clean(p.toString());
    }

    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        return n;
    }

    @Override
    public String describe() {
        return shownAs;
    }

    @Override
    public void close() {
        try {
            tar.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}

package io.cgroovy.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a tar entry name (or a hard link target) into path components relative to the
 * layer root. Names that start with '/' (other than "/" itself, the root) or contain a ".."
 * component are refused outright
 * rather than reinterpreted, so an archive means exactly what it says or is rejected.
 */
final class EntryNames {
    private EntryNames() {}

    /** Components of the name; empty for the root itself ("./"). */
    static List<String> split(String name, String layer) {
        if (name.isEmpty()) throw new ImageException("layer " + layer + ": entry with an empty name");
        if (name.indexOf('\0') >= 0) throw new ImageException("layer " + layer + ": entry '" + name.replace('\0', '?') + "' has a NUL byte in its name");
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) throw outside(name, layer);
            out.add(c);
        }
        // a bare "/" is the layer root (umoci writes one); any other absolute name is refused
        if (name.startsWith("/") && !out.isEmpty()) throw outside(name, layer);
        return out;
    }

    static ImageException outside(String name, String layer) {
        return new ImageException("layer " + layer + ": entry '" + name + "' would be written outside the layer");
    }
}

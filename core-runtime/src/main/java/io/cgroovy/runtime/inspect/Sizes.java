package io.cgroovy.runtime.inspect;

/** Byte counts the way docker stats prints them (KiB, MiB, GiB). */
final class Sizes {
    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1024) return bytes + "B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        do { v /= 1024; u++; } while (v >= 1024 && u < units.length - 1);
        return String.format(v >= 100 ? "%.0f%s" : "%.1f%s", v, units[u]);
    }
}

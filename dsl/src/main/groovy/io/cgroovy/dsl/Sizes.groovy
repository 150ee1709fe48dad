package io.cgroovy.dsl

import groovy.transform.CompileStatic

import java.math.RoundingMode
import java.util.regex.Matcher
import java.util.regex.Pattern

/** Docker's size notation ("512m", "1g", "1.5G", "64MiB", "100") and the way Docker prints sizes. */
@CompileStatic
final class Sizes {
    private Sizes() {}

    private static final Pattern SIZE = ~/(?i)^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?\s*$/

    /** Bytes for a size string with an optional unit b, k, m, g or t (powers of 1024, any case); null if it is not a size. */
    static Long parse(String text) {
        Matcher m = SIZE.matcher(text)
        if (!m.matches()) return null
        String unit = (m.group(2) ?: 'b').toLowerCase()
        long factor = 1L << (10 * 'bkmgt'.indexOf(unit))
        BigDecimal bytes = new BigDecimal(m.group(1)) * factor
        bytes.setScale(0, RoundingMode.DOWN).longValueExact()
    }

    /** A size the way Docker prints image sizes: three significant digits, decimal units ("1.98MB"). */
    static String human(long bytes) {
        String[] units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as String[]
        double v = bytes
        int i = 0
        while (v >= 1000 && i < units.length - 1) { v /= 1000; i++ }
        BigDecimal rounded = new BigDecimal(v).round(new java.math.MathContext(3, RoundingMode.HALF_EVEN))
        rounded.stripTrailingZeros().toPlainString() + units[i]
    }

    /** A short form of {@code bytes} for messages: "64m" for 67108864, else the byte count. */
    static String compact(long bytes) {
        for (String u : ['g', 'm', 'k']) {
            long f = 1L << (10 * 'bkmgt'.indexOf(u))
            if (bytes >= f && bytes % f == 0) return "${bytes.intdiv(f)}${u}"
        }
        "${bytes}"
    }
}

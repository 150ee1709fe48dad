package io.cgroovy.dsl

import groovy.transform.CompileStatic

import java.time.Duration
import java.util.regex.Matcher
import java.util.regex.Pattern

/** Docker's (Go's) duration notation for healthcheck options: "30s", "1m30s", "500ms", "1.5s", "2h"; a number is seconds. */
@CompileStatic
final class Durations {
    private Durations() {}

    private static final Pattern PART = ~/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/
    private static final Map<String, Long> NANOS = [ns: 1L, us: 1000L, 'µs': 1000L, ms: 1000000L, s: 1000000000L,
                                                    m: 60000000000L, h: 3600000000000L]

    /** The duration, or null when {@code value} is not one. */
    static Duration parse(Object value) {
        if (value instanceof Duration) return (Duration) value
        if (value instanceof Number) {
            BigDecimal s = new BigDecimal(value.toString())
            return s < 0 ? null : Duration.ofNanos((s * new BigDecimal(1000000000L)).longValue())
        }
        String text = String.valueOf(value).trim()
        if (text.isEmpty()) return null
        if (text.isBigDecimal()) return parse(text.toBigDecimal())
        Matcher m = PART.matcher(text)
        int at = 0
        BigDecimal nanos = 0G
        while (m.find()) {
            if (m.start() != at) return null
            nanos += new BigDecimal(m.group(1)) * new BigDecimal(NANOS[m.group(2)])
            at = m.end()
        }
        at == text.length() ? Duration.ofNanos(nanos.longValue()) : null
    }
}

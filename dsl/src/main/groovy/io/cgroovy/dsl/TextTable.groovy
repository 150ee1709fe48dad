package io.cgroovy.dsl

import groovy.transform.CompileStatic
import groovy.transform.PackageScope

/** Docker's plain table layout, shared by the lists that print as one (ps, images). */
@CompileStatic
@PackageScope
final class TextTable {
    private TextTable() {}

    /** Headers then rows, each column padded to its widest cell and three spaces apart (no trailing newline). */
    static String format(List<String> headers, List<List<String>> rows) {
        List<List<String>> all = [headers] + rows
        int[] width = new int[headers.size()]
        all.each { List<String> r -> r.eachWithIndex { String c, int i -> width[i] = Math.max(width[i], c.length()) } }
        all.collect { List<String> r ->
            r.withIndex().collect { String c, int i -> i == r.size() - 1 ? c : c.padRight(width[i] + 3) }.join('')
        }.join('\n')
    }
}

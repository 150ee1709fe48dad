package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** "Did you mean" for misspelt DSL words: the closest known word by edit distance. */
@CompileStatic
final class Suggest {
    private Suggest() {}

    /** The candidate closest to {@code word}, or null when none is close enough to be a typo. */
    static String closest(String word, Collection<String> candidates) {
        String best = null
        int bestDistance = Integer.MAX_VALUE
        for (String c : candidates) {
            int d = distance(word.toLowerCase(), c.toLowerCase())
            if (d < bestDistance) { best = c; bestDistance = d }
        }
        int allowed = word.length() <= 3 ? 1 : word.length() <= 6 ? 2 : 3
        bestDistance <= allowed ? best : null
    }

    /** " — did you mean 'x'?" or "" when nothing is close. */
    static String didYouMean(String word, Collection<String> candidates) {
        String c = closest(word, candidates)
        c ? " — did you mean '${c}'?".toString() : ''
    }

    /** Levenshtein distance where swapping two neighbouring letters also costs 1 (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1]
        for (int i = 0; i <= a.length(); i++) d[i][0] = i
        for (int j = 0; j <= b.length(); j++) d[0][j] = j
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost)
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1)
                }
                d[i][j] = v
            }
        }
        d[a.length()][b.length()]
    }
}

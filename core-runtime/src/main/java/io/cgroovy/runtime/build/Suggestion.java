package io.cgroovy.runtime.build;

import java.util.Collection;

/** " — did you mean 'X'?" for a misspelt instruction (edit distance at most 2), else "". */
final class Suggestion {
    private Suggestion() {}

    static String of(String word, Collection<String> known) {
        String best = null;
        int bestD = 3;
        for (String k : known) {
            int d = distance(word.toUpperCase(), k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best == null ? "" : " — did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}

package io.cgroovy.shell;

import io.cgroovy.dsl.Words;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The session as a recipe: the snippets that succeeded and changed something, i.e. set a
 * variable or called a top-level DSL word that is not a pure query ({@link #QUERIES}).
 * {@code :save FILE} writes them in order; {@code cgroovy run FILE} replays them.
 */
final class SessionRecord {
    /**
     * Words that only look (list, inspect, show): a saved session leaves them out. Any other
     * top-level word (one someone adds tomorrow included) is taken to change state.
     */
    static final Set<String> QUERIES = Set.of("images", "ps", "networks", "volumes", "stats", "inspect", "logs",
            "history", "top", "port", "diff", "explain", "exit", "help");

    private final List<String> snippets = new ArrayList<>();

    /** The variables before a snippet runs, to see whether it set any. */
    static Map<String, Object> snapshot(Map<?, ?> variables) {
        Map<String, Object> copy = new LinkedHashMap<>();
        variables.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }

    /** Keeps {@code snippet} (which succeeded) when it changed a variable or used a state-changing word. */
    void succeeded(String snippet, Map<String, Object> before, Map<?, ?> after) {
        if (changesVariables(before, after) || usesStateChangingWord(snippet)) snippets.add(snippet.strip());
    }

    /** True when a variable appeared, went, or now holds a different value (an equal value assigned again is no change). */
    static boolean changesVariables(Map<String, Object> before, Map<?, ?> after) {
        if (before.size() != after.size()) return true;
        for (Map.Entry<?, ?> e : after.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!before.containsKey(k)) return true;
            Object old = before.get(k);
            if (old != e.getValue() && !Objects.equals(old, e.getValue())) return true;
        }
        return false;
    }

    /** True when a top-level identifier of {@code snippet} (outside strings and comments) is a state-changing word. */
    static boolean usesStateChangingWord(String snippet) {
        for (String word : identifiers(snippet)) {
            if (!QUERIES.contains(word) && Words.names("top").contains(word)) return true;
        }
        return false;
    }

    /** The identifiers of {@code s} that are not members ({@code x.name}) and not inside strings or comments. */
    static List<String> identifiers(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (c == '\'' || c == '"') {
                i = Highlighting.stringEnd(s, i);
            } else if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < s.length() && Character.isJavaIdentifierPart(s.charAt(end))) end++;
                if (i == 0 || s.charAt(i - 1) != '.') out.add(s.substring(i, end));
                i = end;
            } else {
                i++;
            }
        }
        return out;
    }

    /** Adds a snippet as is (a recipe loaded with {@code :load}). */
    void add(String snippet) { snippets.add(snippet.strip()); }

    void clear() { snippets.clear(); }

    List<String> snippets() { return List.copyOf(snippets); }

    /** Writes the recipe to {@code file} (whole or not at all); the number of snippets written. */
    int save(Path file) throws IOException {
        StringBuilder b = new StringBuilder("// cgroovy recipe saved from the shell; run it with: cgroovy run ")
                .append(file.getFileName()).append('\n');
        for (String s : snippets) b.append(s).append('\n');
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".cgroovy-save", ".tmp");
        try {
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return snippets.size();
    }
}

package io.cgroovy.runtime.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file: one pattern a line ({@code #} comments), Go's
 * filepath.Match syntax plus {@code **} for any number of directories, {@code !} re-includes;
 * the last matching line wins. A pattern matching a directory excludes what is below it.
 */
public final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exclude) {}

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    /** The context's .dockerignore, or nothing excluded when there is none. */
    public static DockerIgnore of(Path context) {
        Path f = context.resolve(".dockerignore");
        if (!Files.isRegularFile(f)) return NONE;
        try {
            return parse(Files.readAllLines(f));
        } catch (IOException e) {
            throw new io.cgroovy.runtime.ContainerException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    static DockerIgnore parse(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : lines) {
            String l = raw.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            boolean exclude = true;
            if (l.startsWith("!")) {
                exclude = false;
                l = l.substring(1).trim();
            }
            l = Path.of("/" + l).normalize().toString().substring(1);
            if (l.isEmpty()) continue;
            rules.add(new Rule(Pattern.compile(regex(l)), exclude));
        }
        return new DockerIgnore(rules);
    }

    /** True when {@code rel} ("a/b/c", relative to the context) is left out of the context. */
    public boolean excluded(String rel) {
        boolean out = false;
        String[] parts = rel.split("/");
        for (Rule r : rules) {
            // a rule matching the path or one of its parent directories
            StringBuilder prefix = new StringBuilder();
            for (String p : parts) {
                if (prefix.length() > 0) prefix.append('/');
                prefix.append(p);
                if (r.pattern.matcher(prefix).matches()) {
                    out = r.exclude;
                    break;
                }
            }
        }
        return out;
    }

    private static String regex(String glob) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        b.append("(.*/)?");
                    } else {
                        b.append(".*");
                    }
                } else {
                    b.append("[^/]*");
                }
            } else if (c == '?') {
                b.append("[^/]");
            } else if (c == '[') {
                int end = glob.indexOf(']', i);
                if (end < 0) {
                    b.append("\\[");
                } else {
                    String cls = glob.substring(i + 1, end);
                    if (cls.startsWith("^") || cls.startsWith("!")) cls = "^" + cls.substring(1);
                    b.append('[').append(cls.replace("\\", "\\\\")).append(']');
                    i = end;
                }
            } else if (c == '\\' && i + 1 < glob.length()) {
                b.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }
}

package io.cgroovy.shell;

import io.cgroovy.shell.CompletionContext.Kind;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tab completion: DSL words and variables, members of a variable ({@code c.exi}), the string
 * arguments of DSL words from their {@link NameSource}s (image references, container names and
 * ids, networks, volumes), file paths (for {@code load}, {@code bind}, {@code copyIn}, any string
 * starting with {@code /}), and {@code :commands}.
 */
final class Completion implements Completer {
    private final Map<Kind, NameSource> sources = new EnumMap<>(Kind.class);
    /** DSL words (with their one-line docs) and variables; empty while the DSL is loading. */
    private final Supplier<List<NameSource.Name>> words;
    /** The value of a variable, for member completion; null when there is none. */
    private final Function<String, Object> variable;

    Completion(Supplier<List<NameSource.Name>> words, Function<String, Object> variable) {
        this.words = words;
        this.variable = variable;
    }

    /** Completes string arguments of {@code kind} from {@code source}. */
    Completion source(Kind kind, NameSource source) {
        sources.put(kind, source);
        return this;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        CompletionContext at = CompletionContext.at(line.line(), line.cursor());
        candidates.addAll(candidates(at));
    }

    /** The candidates for one context (each value replaces the context's prefix). */
    List<Candidate> candidates(CompletionContext at) {
        List<Candidate> out = new ArrayList<>();
        switch (at.kind()) {
            case COMMAND -> Commands.NAMES.forEach((name, doc) -> out.add(new Candidate(name, name, null, doc, null, null, true)));
            case WORD -> words.get().forEach(n -> out.add(new Candidate(n.value(), n.value(), null, n.description(), null, null, true)));
            case MEMBER -> members(variable.apply(at.target())).forEach(m -> out.add(new Candidate(m, m, null, null, null, null, false)));
            case PATH -> paths(at.prefix(), at.quote(), out);
            case NONE -> { }
            default -> {
                NameSource source = sources.get(at.kind());
                if (source == null) break;
                List<NameSource.Name> names;
                try {
                    names = source.names();
                } catch (Exception e) {
                    break;                        // a source that cannot answer offers nothing; the line is not lost
                }
                String close = at.quote() == 0 ? "" : String.valueOf(at.quote());
                for (NameSource.Name n : names) {
                    out.add(new Candidate(n.value() + close, n.value(), null, n.description(), null, null, false));
                }
            }
        }
        return out;
    }

    /** Public properties (getters) and methods of {@code value}, as {@code name} / {@code name(}. */
    static List<String> members(Object value) {
        if (value == null) return List.of();
        TreeSet<String> names = new TreeSet<>();
        for (Method m : value.getClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class || m.getName().contains("$")) continue;
            if (m.getDeclaringClass().getName().startsWith("groovy.lang.")) continue;
            String n = m.getName();
            if (m.getParameterCount() == 0 && n.startsWith("get") && n.length() > 3 && !n.equals("getMetaClass")) {
                names.add(Character.toLowerCase(n.charAt(3)) + n.substring(4));
            } else if (m.getParameterCount() == 0 && n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
                names.add(Character.toLowerCase(n.charAt(2)) + n.substring(3));
            } else if (!n.startsWith("set") && !n.equals("invokeMethod") && !n.equals("setProperty") && !n.equals("getProperty")) {
                names.add(n + "(");
            }
        }
        return new ArrayList<>(names);
    }

    /** Files and directories starting with {@code typed}; directories end in '/' and stay open. */
    static void paths(String typed, char quote, List<Candidate> out) {
        String expanded = typed.startsWith("~") ? System.getProperty("user.home") + typed.substring(1) : typed;
        int slash = expanded.lastIndexOf('/');
        String dirPart = slash < 0 ? "" : expanded.substring(0, slash + 1);
        String typedDir = slash < 0 ? "" : typed.substring(0, typed.length() - (expanded.length() - slash - 1));
        Path dir = Path.of(dirPart.isEmpty() ? "." : dirPart);
        String close = quote == 0 ? "" : String.valueOf(quote);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) out.add(new Candidate(typedDir + name + "/", name + "/", null, null, null, null, false));
                else out.add(new Candidate(typedDir + name + close, name, null, null, null, null, false));
            }
        } catch (IOException | RuntimeException e) {
            // no such directory: nothing to offer
        }
    }
}

package io.cgroovy.shell;

import io.cgroovy.dsl.Session;
import io.cgroovy.dsl.Suggest;
import io.cgroovy.dsl.Words;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The shell's own commands, {@code :help}, {@code :save}, {@code :load}, {@code :reset}, {@code :exit}. */
final class Commands {
    /** Each command and its one-line doc (for {@code :help} and completion). */
    static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put(":help", "the DSL words; :help WORD explains one with an example");
        NAMES.put(":save", ":save FILE writes this session's state-changing commands as a recipe (cgroovy run FILE)");
        NAMES.put(":load", ":load FILE runs a recipe in this session (its variables stay)");
        NAMES.put(":reset", "forgets every variable and the commands :save would write");
        NAMES.put(":exit", "leaves the shell (so does Ctrl-D)");
    }

    static final String KEYS = "Keys: Tab completes, Up/Down and Ctrl-R search the history, Ctrl-C cancels the line "
            + "or stops what runs, Ctrl-D leaves.";

    /** What the shell does after a command. */
    enum Result { CONTINUE, LEAVE }

    private Commands() {}

    /** True when {@code line} is a shell command rather than Groovy. */
    static boolean isCommand(String line) {
        return line.startsWith(":") && line.length() > 1 && Character.isLetter(line.charAt(1));
    }

    /**
     * Runs {@code line}; {@code eval} evaluates code in the session (true when it succeeded, having
     * printed its own error otherwise); {@code variables} is the session's binding.
     */
    static Result run(String line, PrintWriter out, PrintWriter err, SessionRecord record,
                      Map<?, ?> variables, Predicate<String> eval) {
        String[] parts = line.trim().split("\\s+", 2);
        String name = parts[0];
        String arg = parts.length > 1 ? parts[1].trim() : "";
        switch (name) {
            case ":help" -> out.println(arg.isEmpty() ? help() : helpFor(arg));
            case ":exit", ":quit", ":q" -> { return Result.LEAVE; }
            case ":reset" -> {
                variables.keySet().removeIf(k -> !String.valueOf(k).equals(Session.VARIABLE) && !String.valueOf(k).equals("out"));
                record.clear();
                out.println("==> variables cleared");
            }
            case ":save" -> {
                if (arg.isEmpty()) {
                    err.println("error: :save needs a FILE, e.g. :save env.cgroovy");
                    break;
                }
                try {
                    int n = record.save(Path.of(arg));
                    String lock = "";
                    if (variables.get(Session.VARIABLE) instanceof Session s) {   // the images it ran, pinned as cgroovy run would
                        lock = " and its lock " + s.writeLock(Path.of(arg), String.join("\n", record.snippets())).getFileName();
                    }
                    out.println("==> saved " + n + " command" + (n == 1 ? "" : "s") + " to " + arg + lock);
                } catch (IOException | RuntimeException e) {
                    err.println("error: cannot write " + arg + ": " + reason(e));
                }
            }
            case ":load" -> {
                if (arg.isEmpty()) {
                    err.println("error: :load needs a FILE, e.g. :load env.cgroovy");
                    break;
                }
                String code;
                try {
                    code = Files.readString(Path.of(arg), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    err.println("error: cannot read " + arg + ": " + reason(e));
                    break;
                }
                if (eval.test(code)) record.add(code);
            }
            default -> {
                List<String> names = new ArrayList<>(NAMES.keySet());
                err.println("error: unknown command '" + name + "'" + Suggest.didYouMean(name, names) + " (:help lists them)");
            }
        }
        out.flush();
        err.flush();
        return Result.CONTINUE;
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Every word with its usage and doc (the DSL's catalogue), then the shell commands and keys. */
    static String help() {
        StringBuilder b = new StringBuilder("Groovy with container words; variables persist across lines.\n");
        b.append(Words.help()).append('\n');
        b.append("shell commands:\n");
        NAMES.forEach((n, d) -> b.append("  ").append(n).append(" ".repeat(Math.max(2, 9 - n.length()))).append(d).append('\n'));
        b.append(KEYS);
        return b.toString();
    }

    /** One word: usage, where it goes, what it does, an example; or what was probably meant. */
    static String helpFor(String word) {
        return Words.help(word);
    }
}

package io.cgroovy.shell;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is being completed at the cursor: a word, a member after {@code x.}, a string argument of
 * a DSL word (image, container, network, volume, file path), or a {@code :command}. Pure text
 * analysis (no engine), so it is testable alone.
 */
record CompletionContext(Kind kind, int start, String prefix, String target, char quote) {
    enum Kind { WORD, MEMBER, IMAGE, CONTAINER, NETWORK, VOLUME, PATH, COMMAND, NONE }

    /** The string argument each DSL word (or {@code key:} option) takes; words others add can be listed here. */
    static final Map<String, Kind> ARGUMENT = Map.ofEntries(
            Map.entry("container", Kind.IMAGE), Map.entry("image", Kind.IMAGE), Map.entry("rmi", Kind.IMAGE),
            Map.entry("tag", Kind.IMAGE), Map.entry("pull", Kind.IMAGE), Map.entry("push", Kind.IMAGE),
            Map.entry("save", Kind.IMAGE), Map.entry("from", Kind.IMAGE), Map.entry("history", Kind.IMAGE),
            Map.entry("stop", Kind.CONTAINER), Map.entry("start", Kind.CONTAINER), Map.entry("kill", Kind.CONTAINER),
            Map.entry("rm", Kind.CONTAINER), Map.entry("logs", Kind.CONTAINER), Map.entry("attach", Kind.CONTAINER),
            Map.entry("exec", Kind.CONTAINER), Map.entry("stats", Kind.CONTAINER), Map.entry("wait", Kind.CONTAINER),
            Map.entry("restart", Kind.CONTAINER), Map.entry("pause", Kind.CONTAINER), Map.entry("unpause", Kind.CONTAINER),
            Map.entry("top", Kind.CONTAINER), Map.entry("inspect", Kind.CONTAINER), Map.entry("commit", Kind.CONTAINER),
            Map.entry("copyOut", Kind.CONTAINER), Map.entry("port", Kind.CONTAINER),
            Map.entry("network", Kind.NETWORK), Map.entry("networkRm", Kind.NETWORK), Map.entry("connect", Kind.NETWORK),
            Map.entry("disconnect", Kind.NETWORK), Map.entry("volume", Kind.VOLUME), Map.entry("volumes", Kind.VOLUME),
            Map.entry("volumeRm", Kind.VOLUME), Map.entry("rmVolume", Kind.VOLUME), Map.entry("load", Kind.PATH), Map.entry("bind", Kind.PATH),
            Map.entry("copyIn", Kind.PATH), Map.entry("build", Kind.PATH), Map.entry("file", Kind.PATH));

    private static final Pattern KEY = Pattern.compile("(\\w+)\\s*:\\s*$");
    private static final Pattern CALL = Pattern.compile("(\\w+)\\s*\\(\\s*$");
    private static final Pattern STATEMENT = Pattern.compile("^\\s*(?:(?:def\\s+)?\\w+\\s*=\\s*)?(\\w+)[\\s(]");
    private static final Pattern MEMBER = Pattern.compile("([A-Za-z_$][\\w$]*)\\.([\\w$]*)$");
    private static final Pattern IDENT = Pattern.compile("[\\w$]*$");

    /** The context at {@code cursor} in {@code line} (the whole snippet typed so far). */
    static CompletionContext at(String line, int cursor) {
        String before = line.substring(0, Math.min(cursor, line.length()));
        if (before.startsWith(":")) return command(before);
        int open = openString(before);
        if (open >= 0) {
            String typed = before.substring(open + 1);
            char quote = before.charAt(open);
            if (isPath(typed)) return new CompletionContext(Kind.PATH, open + 1, typed, null, quote);
            String lastWord = typed.substring(typed.lastIndexOf(' ') + 1);
            if (isPath(lastWord)) {                     // a path inside a command: run 'ls /et
                return new CompletionContext(Kind.PATH, before.length() - lastWord.length(), lastWord, null, (char) 0);
            }
            return new CompletionContext(argumentOf(before.substring(0, open)), open + 1, typed, null, quote);
        }
        Matcher m = MEMBER.matcher(before);
        if (m.find()) return new CompletionContext(Kind.MEMBER, m.start(2), m.group(2), m.group(1), (char) 0);
        Matcher w = IDENT.matcher(before);
        w.find();
        return new CompletionContext(Kind.WORD, w.start(), w.group(), null, (char) 0);
    }

    private static CompletionContext command(String before) {
        int space = before.indexOf(' ');
        if (space < 0) return new CompletionContext(Kind.COMMAND, 0, before, null, (char) 0);
        String name = before.substring(1, space);
        int argStart = before.lastIndexOf(' ') + 1;
        String arg = before.substring(argStart);
        Kind kind = switch (name) {
            case "help" -> Kind.WORD;
            case "save", "load" -> Kind.PATH;
            default -> Kind.NONE;
        };
        return new CompletionContext(kind, argStart, arg, null, (char) 0);
    }

    private static boolean isPath(String s) {
        return s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.startsWith("~");
    }

    /** The DSL word (or option key) whose string argument starts right after {@code head}. */
    static Kind argumentOf(String head) {
        Matcher key = KEY.matcher(head);
        if (key.find()) return ARGUMENT.getOrDefault(key.group(1), Kind.NONE);
        Matcher call = CALL.matcher(head);
        if (call.find()) return ARGUMENT.getOrDefault(call.group(1), Kind.NONE);
        int statement = Math.max(Math.max(head.lastIndexOf(';'), head.lastIndexOf('{')), head.lastIndexOf('\n'));
        Matcher s = STATEMENT.matcher(head.substring(statement + 1));
        if (s.find()) return ARGUMENT.getOrDefault(s.group(1), Kind.NONE);
        return Kind.NONE;
    }

    /** The index of the quote opening a string that is still open at the end of {@code s}, or -1. */
    static int openString(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '/' && s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                if (nl < 0) return -1;
                i = nl + 1;
            } else if (c == '\'' || c == '"') {
                int end = Highlighting.closedEnd(s, i);
                if (end < 0) return i;
                i = end;
            } else {
                i++;
            }
        }
        return -1;
    }
}

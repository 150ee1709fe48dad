package io.cgroovy.shell;

import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Colours the line being typed: Groovy keywords, DSL words, strings, numbers, comments and
 * {@code :commands}. A small scanner, not Groovy's parser: it runs on every keystroke.
 */
final class Highlighting implements Highlighter {
    static final Set<String> KEYWORDS = Set.of("def", "var", "if", "else", "for", "while", "do", "return", "in", "new",
            "true", "false", "null", "it", "this", "try", "catch", "finally", "throw", "switch", "case", "default",
            "break", "continue", "class", "import", "as", "instanceof", "assert", "final", "static", "void", "int",
            "long", "boolean", "String");
    static final AttributedStyle KEYWORD = AttributedStyle.BOLD.foreground(AttributedStyle.BLUE);
    static final AttributedStyle WORD = AttributedStyle.BOLD.foreground(AttributedStyle.CYAN);
    static final AttributedStyle STRING = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    static final AttributedStyle NUMBER = AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA);
    static final AttributedStyle COMMENT = AttributedStyle.DEFAULT.foreground(AttributedStyle.BRIGHT | AttributedStyle.BLACK);
    static final AttributedStyle COMMAND = AttributedStyle.BOLD.foreground(AttributedStyle.YELLOW);

    /** The DSL words; empty until the DSL is loaded (the prompt does not wait for it). */
    private final Supplier<Set<String>> dslWords;
    private final boolean colour;

    Highlighting(Supplier<Set<String>> dslWords, boolean colour) {
        this.dslWords = dslWords;
        this.colour = colour;
    }

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        if (!colour) return new AttributedString(buffer);
        return highlight(buffer, dslWords.get());
    }

    static AttributedString highlight(String s, Set<String> words) {
        AttributedStringBuilder b = new AttributedStringBuilder();
        int i = 0;
        int n = s.length();
        if (s.startsWith(":")) {                      // a shell command: the command name, then plain text
            int end = 1;
            while (end < n && Character.isLetter(s.charAt(end))) end++;
            b.styled(COMMAND, s.substring(0, end));
            i = end;
        }
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                int end = s.indexOf('\n', i);
                if (end < 0) end = n;
                b.styled(COMMENT, s.substring(i, end));
                i = end;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                b.styled(COMMENT, s.substring(i, end));
                i = end;
            } else if (c == '\'' || c == '"') {
                int end = stringEnd(s, i);
                b.styled(STRING, s.substring(i, end));
                i = end;
            } else if (Character.isDigit(c)) {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '.' || s.charAt(end) == '_')) end++;
                b.styled(NUMBER, s.substring(i, end));
                i = end;
            } else if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < n && Character.isJavaIdentifierPart(s.charAt(end))) end++;
                String word = s.substring(i, end);
                boolean member = i > 0 && s.charAt(i - 1) == '.';
                if (!member && KEYWORDS.contains(word)) b.styled(KEYWORD, word);
                else if (!member && words.contains(word)) b.styled(WORD, word);
                else b.append(word);
                i = end;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toAttributedString();
    }

    /** The index after the string literal starting at {@code start} (or the end of the text if it is open). */
    static int stringEnd(String s, int start) {
        int end = closedEnd(s, start);
        return end < 0 ? s.length() : end;
    }

    /** The index after the closing quote of the string literal starting at {@code start}; -1 while it is open. */
    static int closedEnd(String s, int start) {
        char q = s.charAt(start);
        String close = s.startsWith(String.valueOf(q).repeat(3), start) ? String.valueOf(q).repeat(3) : String.valueOf(q);
        int i = start + close.length();
        while (i < s.length()) {
            if (s.charAt(i) == '\\') {
                i += 2;
                continue;
            }
            if (s.startsWith(close, i)) return i + close.length();
            i++;
        }
        return -1;
    }
}

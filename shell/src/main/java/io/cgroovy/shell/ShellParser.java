package io.cgroovy.shell;

import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.SyntaxError;
import org.jline.reader.impl.DefaultParser;

import java.util.List;

/**
 * Groovy-aware enough for the prompt: accepting a line is {@link DefaultParser}'s (an unclosed
 * bracket continues the snippet); for completion the "word" is what {@link CompletionContext}
 * says is being completed (inside a string, after a dot), so quotes and brackets stay as typed.
 */
final class ShellParser implements Parser {
    private final DefaultParser lines = Shell.parser();

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) throws SyntaxError {
        if (context != ParseContext.COMPLETE) return lines.parse(line, cursor, context);
        CompletionContext at = CompletionContext.at(line, cursor);
        String word = line.substring(at.start(), Math.min(cursor, line.length()));
        return new Word(word, line, cursor);
    }

    private record Word(String word, String line, int cursor) implements ParsedLine {
        @Override public int wordCursor() { return word.length(); }
        @Override public int wordIndex() { return 0; }
        @Override public List<String> words() { return List.of(word); }
    }
}

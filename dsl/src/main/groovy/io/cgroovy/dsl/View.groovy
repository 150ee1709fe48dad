package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * What {@code c.cgroup}, {@code c.layers}, {@code c.explain()}, {@code imageTree()} ... give: plain maps and lists
 * for scripts (this is a Map), and a screen of text for people ({@link #toString}, within 80 columns). The shell
 * prints {@link #render} instead of {@code ==> [map...]}.
 */
@CompileStatic
class View extends LinkedHashMap<String, Object> {
    /** The text as a person reads it. */
    final String text

    View(Map<String, ?> data, String text) {
        super(data)
        this.text = text
    }

    /** The text with each line cut to {@code width} columns ("…" marks a cut). */
    String render(int width) { cut(text, width) }

    @Override
    String toString() { text }

    /** The data as JSON, for recipes that hand a view to another tool (the text is not part of it). */
    String toJson() { json(this) }

    static String json(Object data) { JSON.writeValueAsString(data) }

    private static final com.fasterxml.jackson.databind.ObjectWriter JSON =
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()

    static String cut(String text, int width) {
        int w = Math.max(width, 20)
        text.readLines().collect { String l ->
            l.codePointCount(0, l.length()) > w ? l.substring(0, l.offsetByCodePoints(0, w - 1)) + '…' : l
        }.join('\n')
    }
}

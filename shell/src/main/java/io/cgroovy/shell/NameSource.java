package io.cgroovy.shell;

import java.util.List;

/**
 * Where the completion candidates of one kind (images, containers, networks, volumes) come from.
 * The shell's sources read DSL handles and lists ({@link DslNames}); a failing source offers nothing.
 */
@FunctionalInterface
interface NameSource {
    /** The names, each with an optional one-line description ({@code null} for none). */
    List<Name> names() throws Exception;

    /** A candidate: what is inserted, and what the completion list shows next to it. */
    record Name(String value, String description) {}
}

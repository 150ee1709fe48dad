package io.cgroovy.dsl

import java.lang.annotation.ElementType
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
import java.lang.annotation.Target

/**
 * Marks a DSL word (a method, or a property of a handle) and documents it. {@link Words} reads
 * these at run time: the shell's help and completion and every "did you mean" come from them,
 * so a word without this annotation is invisible to users. Overloads share the first doc given.
 *
 * <pre>
 * {@literal @}Word(value = 'Memory limit: bytes or a size with a unit (b, k, m, g).', usage = 'memory SIZE', example = "memory '512m'")
 * void memory(Object size) { ... }
 * </pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target([ElementType.METHOD, ElementType.FIELD])
@interface Word {
    /** One sentence: what the word does (Docker's terms). */
    String value()

    /** How it is written, e.g. {@code memory SIZE}; empty: the method name. */
    String usage() default ''

    /** A line a user could type, e.g. {@code memory '512m'}. */
    String example() default ''

    /** Another name for the same word (e.g. 'cmd' of 'run'): listed with its own entry. */
    String name() default ''
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * A one-line, user-facing mistake in DSL code (a bad value, an unknown word).
 * When the mistake is a value written earlier in a container closure, the exception carries
 * the stack of that word's call, so the error points at the line where the value was written.
 */
@CompileStatic
class DslException extends RuntimeException {
    DslException(String message) { super(message) }

    /** An error about a value written at {@code where} (the stack captured when the word was called). */
    DslException(String message, StackTraceElement[] where) {
        super(message)
        if (where) setStackTrace(where)
    }
}

package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

/** What a remote engine answered with an error (its message), or why it could not be reached. */
@CompileStatic
class EngineException extends RuntimeException {
    /** The HTTP status, 0 when there was no answer. */
    final int status

    EngineException(String message, int status = 0) {
        super(message)
        this.status = status
    }
}

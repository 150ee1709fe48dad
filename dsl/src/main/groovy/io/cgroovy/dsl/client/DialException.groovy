package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

/** The transport failed before any byte came back (ssh refused, its remote command missing): the engine was not reached. */
@CompileStatic
class DialException extends IOException {
    DialException(String message) { super(message) }
}

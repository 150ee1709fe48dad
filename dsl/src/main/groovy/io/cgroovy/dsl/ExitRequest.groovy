package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * Thrown by the {@code exit N} word to leave the recipe or shell with status N. An Error, so a
 * user's {@code catch (e)} (which catches Exception) does not swallow it.
 */
@CompileStatic
class ExitRequest extends Error {
    final int status

    ExitRequest(int status) {
        super("exit ${status}".toString(), null, false, false)
        this.status = status
    }
}

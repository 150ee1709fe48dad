package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

/** One byte stream to an engine, as a {@link Dialer} opens it: HTTP is written to and read from it. */
@CompileStatic
interface Connection extends Closeable {
    InputStream input()

    OutputStream output()

    /** Ends the write side (the server reads EOF, the read side stays open) where the transport can; else does nothing. */
    void closeWrite()
}

package io.cgroovy.api.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** One accepted client connection: two streams one thread may read while another writes (hijacked streams do). */
public interface Connection extends Closeable {
    /** Readies the connection in its own thread before any request (a TLS handshake); throws when the client is refused. */
    default void open() throws IOException {}

    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** The client's address, for log lines. */
    String peer();
}

package io.cgroovy.api;

/** {@code cgroovy serve} cannot start: the message says why, in one line. */
public class ServeException extends RuntimeException {
    public ServeException(String message) {
        super(message);
    }
}

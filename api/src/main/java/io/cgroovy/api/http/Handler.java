package io.cgroovy.api.http;

import java.io.IOException;

/** Answers one request. Throw {@link ApiError} for a client-visible error. */
@FunctionalInterface
public interface Handler {
    void handle(Request req, Response res) throws IOException;
}

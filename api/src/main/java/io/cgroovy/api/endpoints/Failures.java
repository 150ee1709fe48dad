package io.cgroovy.api.endpoints;

import io.cgroovy.api.http.ApiError;
import io.cgroovy.image.ImageException;
import io.cgroovy.runtime.ContainerException;

import java.util.function.Supplier;

/** Engine failures as API errors: the engine's one-line message, with the status Docker gives that case. */
final class Failures {
    private Failures() {}

    static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (ContainerException | ImageException e) {
            throw map(e);
        }
    }

    static void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    static ApiError map(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("no such container") || m.contains("no such image") || m.contains("no such volume")
                || m.contains("no such network")) return ApiError.notFound(m);
        if (m.contains("is in use by") || m.contains("already exists") || m.contains("container(s) on it")) return ApiError.conflict(m);
        if (m.startsWith("invalid ")) return ApiError.badRequest(m);
        if (m.contains("already in use") || m.contains("is not running") || m.contains("is running")
                || m.contains("cannot attach") || m.contains("paused")) return ApiError.conflict(m);
        if (e instanceof ImageException) return ApiError.badRequest(m);
        return new ApiError(500, m);
    }
}

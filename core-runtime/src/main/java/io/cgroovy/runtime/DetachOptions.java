package io.cgroovy.runtime;

/**
 * How a detached container is run (besides its {@link ContainerSettings}).
 *
 * @param tty         the container gets a pseudo-terminal held by its monitor (docker run -t)
 * @param interactive its stdin stays open for {@code attach} (docker run -i); else /dev/null
 * @param restart     the restart policy the monitor carries out
 * @param healthcheck the health check (merged with the image's); null: the image's, if any
 */
public record DetachOptions(boolean tty, boolean interactive, RestartPolicy restart, Healthcheck healthcheck) {
    public static final DetachOptions DEFAULT = new DetachOptions(false, false, RestartPolicy.NO);

    public DetachOptions {
        restart = restart == null ? RestartPolicy.NO : restart;
    }

    public DetachOptions(boolean tty, boolean interactive, RestartPolicy restart) {
        this(tty, interactive, restart, null);
    }
}

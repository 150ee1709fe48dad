package io.cgroovy.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * How a container was made, enough to diff it against its image, copy files in and out, and
 * commit it as a new image. Of a container that ended and was run with {@code keep}: the record
 * {@code containers/<id>/kept.json} beside its {@code upper/} directory; of a detached container:
 * read from its {@code container.json} and {@code config.json}.
 *
 * @param imageId     the config digest of the image it ran
 * @param imageRef    the reference it was asked for by
 * @param command     the command it ran (empty: the image's)
 * @param env         the variables the user added
 * @param mounts      mount destinations (their contents are not part of the container's filesystem)
 * @param entrypoint  the entrypoint the user gave (null: the image's)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeptContainer(String id, String name, String imageId, String imageRef, List<String> command,
                            Map<String, String> env, String workdir, String user, List<String> mounts, int exitCode,
                            List<String> entrypoint) {
    public KeptContainer {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    }
}

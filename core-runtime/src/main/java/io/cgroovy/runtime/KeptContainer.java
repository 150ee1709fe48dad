package io.cgroovy.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * What the engine keeps of a container that ended and was run with {@code keep}: the record
 * {@code containers/<id>/kept.json} beside its {@code upper/} directory, enough to diff it
 * against its image, copy files in and out, and commit it as a new image.
 *
 * @param imageId     the config digest of the image it ran
 * @param imageRef    the reference it was asked for by
 * @param command     the command it ran (empty: the image's)
 * @param env         the variables the user added
 * @param mounts      mount destinations (their contents are not part of the container's filesystem)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeptContainer(String id, String name, String imageId, String imageRef, List<String> command,
                            Map<String, String> env, String workdir, String user, List<String> mounts, int exitCode) {
    public KeptContainer {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }
}

package io.cgroovy.runtime;

import java.util.List;
import java.util.Map;

/**
 * One more process in a running container ({@code docker exec}).
 *
 * @param command the command (required)
 * @param env     variables added to / overriding the container's environment
 * @param user    "uid[:gid]" or a name from the image's /etc/passwd; null = the container's user
 * @param workdir working directory; null = the container's
 */
public record ExecSettings(List<String> command, Map<String, String> env, String user, String workdir) {
    public ExecSettings {
        if (command == null || command.isEmpty()) throw new ContainerException("exec: no command given");
        if (command.get(0) == null || command.get(0).isEmpty()) throw new ContainerException("exec: empty command name");
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    public static ExecSettings of(String... command) { return new ExecSettings(List.of(command), Map.of(), null, null); }
}

package io.cgroovy.runtime.build;

import java.util.List;

/**
 * One stage of a build: an image to start from ("scratch", a reference, or an earlier stage's
 * name) and the steps on top of it.
 *
 * @param name  the AS name, or null
 * @param from  the base: an image reference, "scratch", or an earlier stage's name
 * @param where the FROM's source line, for errors
 */
public record Stage(String name, String from, String where, List<BuildStep> steps) {
    public Stage {
        steps = List.copyOf(steps);
    }
}

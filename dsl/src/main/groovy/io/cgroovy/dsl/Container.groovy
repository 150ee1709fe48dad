package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.RunResult

/** What the user holds after {@code c = container(...) { ... }}: a foreground container that has ended. */
@CompileStatic
final class Container {
    final String id
    final String name
    final String image
    final int exitCode
    final boolean oomKilled
    final ContainerSettings settings

    Container(ContainerSettings settings, RunResult result) {
        this.settings = settings
        this.image = settings.image()
        this.id = result.id()
        this.name = result.name()
        this.exitCode = result.exitCode()
        this.oomKilled = result.oomKilled()
    }

    /** The first 12 characters of the id, as Docker shows it. */
    String getShortId() { id == null ? null : id.length() > 12 ? id.substring(0, 12) : id }

    @Override
    String toString() {
        String end = oomKilled ? "killed by the OOM killer (exit ${exitCode})" : "exited ${exitCode}"
        "container ${name ?: shortId} (${shortId}, ${image}) ${end}"
    }
}

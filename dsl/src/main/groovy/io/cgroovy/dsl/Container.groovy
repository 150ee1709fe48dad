package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.RunResult

/** What the user holds after {@code c = container(...) { ... }}: a foreground container that has ended. */
@CompileStatic
@WordScope('Container')
final class Container {
    @Word("The full container id.")
    final String id
    @Word("The container's name.")
    final String name
    @Word("The image reference it was created from.")
    final String image
    @Word("Exit status of its command (125-127: it could not start).")
    final int exitCode
    @Word("True when the kernel's OOM killer ended it.")
    final boolean oomKilled
    @Word("The validated settings it was created with.")
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
    @Word('The first 12 characters of the id, as Docker shows it.')
    String getShortId() { id == null ? null : id.length() > 12 ? id.substring(0, 12) : id }

    @Override
    String toString() {
        String end = oomKilled ? "killed by the OOM killer (exit ${exitCode})" : "exited ${exitCode}"
        "container ${name ?: shortId} (${shortId}, ${image}) ${end}"
    }
}

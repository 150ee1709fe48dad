package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.fs.Change
import io.cgroovy.runtime.fs.ContainerFiles

import java.nio.file.Path

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

    /** The session that ran it (for diff, copy, commit, rm of a kept container); null in tests that make handles by hand. */
    Session session

    /** Added, changed and deleted paths against the image ({@code docker diff}); needs {@code keep true}. */
    @Word(value = 'Added (A), changed (C) and deleted (D) paths against the image (docker diff); needs keep true.', usage = 'c.diff()')
    List<Change> diff() { files().diff(id) }

    /** Copies a host file or directory into the container ({@code docker cp local c:path}); needs {@code keep true}. */
    @Word(value = 'Copies a host file or directory into the kept container (docker cp).', usage = 'c.copyIn LOCAL, PATH', example = "c.copyIn 'site/', '/www'")
    String copyIn(Object local, String path) { files().copyIn(id, Path.of(String.valueOf(local)), path) }

    /** Copies a file or directory of the container to the host ({@code docker cp c:path local}); needs {@code keep true}. */
    @Word(value = 'Copies a file or directory of the kept container to the host (docker cp).', usage = 'c.copyOut PATH, LOCAL', example = "c.copyOut '/etc/hosts', '/tmp'")
    String copyOut(String path, Object local) { files().copyOut(id, path, Path.of(String.valueOf(local))).toString() }

    /** Makes an image of the container's filesystem ({@code docker commit}); needs {@code keep true}. */
    @Word(value = 'Makes an image of the kept container: its changes as one more layer (docker commit).', usage = 'c.commit TAG [, MESSAGE]', example = "c.commit 'mine:1'")
    Image commit(String tag = null, String message = null) {
        Image.of(files().commit(id, tag, message))
    }

    /** Removes the kept filesystem and anonymous volumes ({@code docker rm -v}). */
    @Word(value = 'Removes the kept container and its anonymous volumes (docker rm -v).', usage = 'c.rm()')
    void rm() {
        if (session == null) throw new DslException("container ${name}: no engine to remove it from")
        session.engine().removeContainer(id)
    }

    private ContainerFiles files() {
        if (!settings.keep()) throw new DslException("container ${name} was removed when it ended; run it with 'keep true' to diff, copy or commit it")
        if (session == null) throw new DslException("container ${name}: no engine")
        new ContainerFiles(session.engine())
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

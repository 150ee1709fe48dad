package io.cgroovy.dsl

import io.cgroovy.runtime.Engine

import java.nio.file.Files
import java.nio.file.Path

/**
 * A spec's own engine: a temporary state root and a unique cgroup parent, DSL code evaluated as the
 * shell does with the containers' output captured. {@link #close} removes what is left: containers,
 * networks, the cgroup parent and the temporary directory (never crossing into another filesystem).
 * A spec holds one as {@code @Shared @AutoCleanup} and calls {@link #removeContainers} after each
 * feature, before the cgroup leak check that follows it.
 */
class TestEngine implements Closeable {
    final Path tmp
    final String cgroupParent
    final Engine engine

    /** {@code name} tells whose it is, in the temporary directory's and the cgroup parent's names. */
    TestEngine(String name) {
        tmp = Files.createTempDirectory("cgroovy-${name}-")
        cgroupParent = "cgroovy-${name}-test-" + UUID.randomUUID().toString().substring(0, 8)
        engine = Engine.open(tmp.resolve('root'), cgroupParent)
    }

    /** A session on this engine whose containers get no stdin and write to {@code out} and {@code err}. */
    Session session(OutputStream out, OutputStream err) {
        Session session = Session.using(engine)
        session.detachStdin(out, err)
        session
    }

    /** Imports a one-layer image of busybox and {@code files} (path to text) tagged {@code tag}; returns its manifest digest. */
    String importImage(String tag, Map<String, String> files) {
        engine.images().importOciLayout(TestImages.layout(Files.createTempDirectory(tmp, 'image'), files), tag)[0].manifestDigest()
    }

    /** Evaluates DSL code as the shell does; the containers' output goes to {@code out} and {@code err}. */
    Object eval(String code, OutputStream out, OutputStream err, Session session = session(out, err)) {
        new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable { it.eval(code) }
    }

    /** Removes every detached and kept container, then checks that no container directory is left. */
    void removeContainers() {
        for (def c : engine.ps(true)) engine.remove(c.id(), true)
        engine.keptContainers().each { engine.removeContainer(it.id()) }
        assertNoContainers()
    }

    /** No container directory is left in the store (foreground containers remove theirs when they end). */
    void assertNoContainers() {
        assert Files.list(engine.root().resolve('containers')).withCloseable { s -> s.filter { Files.isDirectory(it) }.count() } == 0
    }

    @Override
    void close() {
        try {
            for (def c : engine.ps(true)) engine.remove(c.id(), true)
            engine.keptContainers().each { engine.removeContainer(it.id()) }
        } finally {
            try {
                for (def n : engine.networks().list()) engine.networks().remove(n.name)
            } finally {
                try {
                    engine.cgroups().removeParent()
                    engine.close()
                } finally {
                    Engine.removeTreeOnOneFs(tmp)
                }
            }
        }
    }
}

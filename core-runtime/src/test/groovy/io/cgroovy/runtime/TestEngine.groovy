package io.cgroovy.runtime

import io.cgroovy.image.Snapshot

import java.nio.file.Files
import java.nio.file.Path

/**
 * A spec's own engine and busybox image ({@link TestImages#busybox}): a temporary directory that holds both the
 * image's layers and the engine's state root, and a unique cgroup parent. {@link #close} removes the cgroup parent
 * and the directory (never crossing into another filesystem). A spec holds one as {@code @Shared @AutoCleanup} and
 * removes its own containers after each feature, before the cgroup leak check that follows it.
 */
class TestEngine implements Closeable {
    final Path tmp
    final String cgroupParent = 'cgroovy-test-' + UUID.randomUUID().toString().substring(0, 8)
    final Snapshot image
    final Engine engine

    /** {@code name} tells whose it is, in the temporary directory's name. */
    TestEngine(String name) {
        tmp = Files.createTempDirectory("cgroovy-${name}-")
        try {
            image = TestImages.busybox(tmp.resolve('image'))
            engine = Engine.open(tmp.resolve('root'), cgroupParent)
        } catch (Throwable t) {
            // no one holds this fixture yet to close it
            TestImages.removeAll(tmp)
            throw t
        }
    }

    @Override
    void close() {
        try {
            engine.cgroups().removeParent()
            engine.close()
        } finally {
            TestImages.removeAll(tmp)
        }
    }
}

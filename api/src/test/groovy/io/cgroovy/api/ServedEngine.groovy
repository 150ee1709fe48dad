package io.cgroovy.api

import io.cgroovy.runtime.Engine

import java.nio.file.Files
import java.nio.file.Path

/**
 * A spec's own engine (temporary root, unique cgroup parent, busybox in its store) served on a
 * unix socket in the temporary dir, and the real `docker` CLI pointed at it.
 */
class ServedEngine implements Closeable {
    final Path tmp
    final Engine engine
    final Serve serve

    ServedEngine() {
        tmp = Files.createTempDirectory('cgroovy-api-')
        engine = Engine.open(tmp.resolve('root'), 'cgroovy-api-test-' + UUID.randomUUID().toString().substring(0, 8))
        engine.images().ensureDefaultBusybox()
        serve = Serve.start(engine, ['--socket', tmp.resolve('docker.sock').toString()] as String[], System.err)
    }

    Path getSocket() { tmp.resolve('docker.sock') }

    /** The environment the docker CLI runs with: this server, a throwaway config dir. */
    List<String> env(String host = serve.dockerHost()) {
        ["DOCKER_HOST=$host", "DOCKER_CONFIG=${tmp.resolve('docker-config')}", 'PATH=/usr/local/bin:/usr/bin:/bin']*.toString()
    }

    /** Runs the docker CLI against {@code host} with no stdin; [exit status, stdout, stderr]. */
    List dockerAt(String host, String... args) {
        def p = (['docker'] + args.toList()).execute(env(host), tmp.toFile())
        p.outputStream.close()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        [p.exitValue(), out.toString(), err.toString()]
    }

    List docker(String... args) {
        dockerAt(serve.dockerHost(), args)
    }

    /** Removes every container the spec left. */
    void removeContainers() {
        engine.ps(true).each { engine.remove(it.id(), true) }
    }

    @Override void close() {
        try {
            serve?.close()
            removeContainers()
            engine?.cgroups()?.removeParent()
            engine?.close()
        } finally {
            ['rm', '-rf', tmp.toString()].execute().waitFor()
        }
    }
}

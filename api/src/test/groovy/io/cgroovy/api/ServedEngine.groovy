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

    final Path socket

    /** Serves on {@code socketPath}, or on docker.sock in the temporary dir. */
    ServedEngine(Path socketPath = null) {
        tmp = Files.createTempDirectory('cgroovy-api-')
        socket = socketPath ?: tmp.resolve('docker.sock')
        engine = Engine.open(tmp.resolve('root'), 'cgroovy-api-test-' + UUID.randomUUID().toString().substring(0, 8))
        engine.images().ensureDefaultBusybox()
        serve = Serve.start(engine, ['--socket', socket.toString()] as String[], System.err)
    }

    /** The engine's firewall can work in this kernel (nftables or iptables-legacy). */
    static boolean firewallWorks() { io.cgroovy.testing.KernelProbes.firewallWorks() }

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

    /**
     * Runs the docker CLI with {@code input} piped to its stdin and then closed (as `printf ... | docker`);
     * [exit status, stdout, stderr]. A CLI still running after 60 s is killed and fails the caller.
     */
    List dockerPiped(String input, String... args) {
        def p = (['docker'] + args.toList()).execute(env(), tmp.toFile())
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        def readers = [p.consumeProcessOutputStream(out), p.consumeProcessErrorStream(err)]
        p.outputStream.withCloseable { it.write(input.getBytes('UTF-8')) }
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor()
            throw new AssertionError("docker ${args.join(' ')} with piped input did not end within 60 s; stdout: ${out}, stderr: ${err}".toString())
        }
        readers*.join()
        [p.exitValue(), out.toString('UTF-8'), err.toString('UTF-8')]
    }

    /** One raw HTTP/1.1 request on the socket (Connection: close); [status, body]. */
    List http(String method, String path, String json = null) {
        def ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))
        try {
            byte[] body = (json ?: '').getBytes('UTF-8')
            String head = "${method} ${path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n" +
                    (json != null ? "Content-Type: application/json\r\n" : '') + "Content-Length: ${body.length}\r\n\r\n"
            ch.write(java.nio.ByteBuffer.wrap(head.getBytes('ISO-8859-1')))
            ch.write(java.nio.ByteBuffer.wrap(body))
            def got = new ByteArrayOutputStream()
            def buf = java.nio.ByteBuffer.allocate(8192)
            int n
            while ((n = ch.read(buf.clear())) >= 0) got.write(buf.array(), 0, n)
            String all = got.toString('UTF-8')
            int status = all.substring(9, 12).toInteger()
            String rest = all.substring(all.indexOf('\r\n\r\n') + 4)
            if (all.substring(0, all.indexOf('\r\n\r\n')).toLowerCase().contains('transfer-encoding: chunked')) rest = unchunk(rest)
            [status, rest]
        } finally {
            ch.close()
        }
    }

    private static String unchunk(String s) {
        def out = new StringBuilder()
        int i = 0
        while (i < s.length()) {
            int nl = s.indexOf('\r\n', i)
            int size = Integer.parseInt(s.substring(i, nl).trim(), 16)
            if (size == 0) break
            out.append(s, nl + 2, nl + 2 + size)
            i = nl + 2 + size + 2
        }
        out.toString()
    }

    /** Removes every container the spec left. */
    void removeContainers() {
        engine.ps(true).each { engine.remove(it.id(), true) }
    }

    @Override void close() {
        try {
            serve?.close()
            removeContainers()
            engine?.networks()?.list()?.each { engine.networks().remove(it.name) } // a bridge lives as long as its network
            engine?.cgroups()?.removeParent()
            engine?.close()
        } finally {
            ['rm', '-rf', tmp.toString()].execute().waitFor()
        }
    }
}

package io.cgroovy.image

import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real registry for a spec: Debian's docker-registry (distribution 2.8) on 127.0.0.1 and a free
 * port, storage and config in the spec's temp dir, optionally with htpasswd or token auth.
 * {@link #close} stops the process it started (by its own handle) and leaves the dir to the spec.
 */
class LocalRegistry implements Closeable {
    static final String BINARY = '/usr/bin/docker-registry'

    final Path dir
    final int port
    final Process process

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir
        this.port = port
        this.process = process
    }

    /** Whether Debian's docker-registry is installed (scripts/install-deps). */
    static boolean available() { new File(BINARY).canExecute() }

    String getHost() { "127.0.0.1:$port" }

    Path getStorage() { dir.resolve('data') }

    static int freePort() {
        new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
    }

    /**
     * @param auth null, [htpasswd: Path] or [token: [realm: url, service: s, issuer: i, bundle: Path]]
     */
    static LocalRegistry start(Path dir, Map auth = null) {
        Files.createDirectories(dir.resolve('data'))
        int port = freePort()
        def cfg = new StringBuilder()
        cfg << """version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${dir.resolve('data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: ${UUID.randomUUID()}
"""
        if (auth?.htpasswd) {
            cfg << """auth:
  htpasswd:
    realm: cgroovy-test
    path: ${auth.htpasswd}
"""
        } else if (auth?.token) {
            cfg << """auth:
  token:
    realm: ${auth.token.realm}
    service: ${auth.token.service}
    issuer: ${auth.token.issuer}
    rootcertbundle: ${auth.token.bundle}
"""
        }
        Path config = dir.resolve('config.yml')
        Files.writeString(config, cfg.toString())
        Process p = new ProcessBuilder(BINARY, 'serve', config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve('registry.log').toFile()).start()
        def reg = new LocalRegistry(dir, port, p)
        def http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        long end = System.currentTimeMillis() + 60_000
        while (true) {
            try {
                def r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port/v2/")).build(), HttpResponse.BodyHandlers.discarding())
                if (r.statusCode() in [200, 401]) break
            } catch (IOException ignored) {
                // not listening yet
            }
            if (!p.alive || System.currentTimeMillis() > end) {
                reg.close()
                throw new IllegalStateException("docker-registry did not start: ${Files.readString(dir.resolve('registry.log'))}")
            }
            Thread.sleep(100)
        }
        reg
    }

    @Override
    void close() {
        if (process.alive) {
            process.destroy()
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly()
                process.waitFor(10, TimeUnit.SECONDS)
            }
        }
    }

    /** The registry's own file for a blob (to tamper with in a spec). */
    Path blobData(String digest) {
        def hex = Digest.hex(digest)
        storage.resolve("docker/registry/v2/blobs/sha256/${hex.substring(0, 2)}/$hex/data")
    }

    /** skopeo with TLS verification off for this registry only (it speaks plain HTTP on loopback). */
    static String skopeo(String... args) {
        TestImages.run((['skopeo', '--insecure-policy'] + args.toList()) as String[])
    }
}

package io.cgroovy.shell

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Debian's docker-registry on 127.0.0.1 and a free port, its storage and config in the spec's
 * temp dir; {@link #close} stops the process it started.
 */
class TestRegistry implements Closeable {
    static final String BINARY = '/usr/bin/docker-registry'

    final int port
    final Process process

    private TestRegistry(int port, Process process) {
        this.port = port
        this.process = process
    }

    static boolean available() { new File(BINARY).canExecute() }

    String getHost() { "127.0.0.1:${port}" }

    static TestRegistry start(Path dir) {
        Files.createDirectories(dir.resolve('data'))
        int port = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
        Path config = dir.resolve('config.yml')
        Files.writeString(config, """version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${dir.resolve('data')}
http:
  addr: 127.0.0.1:${port}
  secret: ${UUID.randomUUID()}
""")
        Process p = new ProcessBuilder(BINARY, 'serve', config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve('registry.log').toFile()).start()
        TestRegistry r = new TestRegistry(port, p)
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:${port}/v2/").openConnection()
                if (c.responseCode == 200) return r
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!p.alive || System.nanoTime() > end) {
                r.close()
                throw new IllegalStateException("docker-registry did not start: ${Files.readString(dir.resolve('registry.log'))}")
            }
            sleep 100
        }
    }

    @Override
    void close() {
        if (!process.alive) return
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
    }
}

package io.cgroovy.shell

import io.cgroovy.testing.TestCerts
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * `cgroovy serve` with TLS as a user runs it (scripts/cgroovy, a real process): the start line says
 * what is served and how, the real docker CLI with its client certificate talks to it, SIGTERM ends
 * it; refused settings end it at once with status 2 and one line.
 */
@IgnoreIf({ !LauncherSpec.isRoot() })
@Timeout(300)
class ServeCommandSpec extends Specification {
    @Shared @AutoCleanup TestCerts certs = new TestCerts()
    @TempDir Path dir
    String cgroupParent = 'cgroovy-serve-test-' + UUID.randomUUID().toString().substring(0, 8)

    def cleanup() {
        List<String> left = TestCgroups.remove(cgroupParent)
        assert left.isEmpty(): "cgroups left behind: ${left}"
    }

    Process serve(String... args) {
        ProcessBuilder pb = new ProcessBuilder([LauncherSpec.LAUNCHER.toString(), 'serve'] + (args as List))
        pb.environment().putAll(CGROOVY_CLASSPATH: System.getProperty('java.class.path'), CGROOVY_ROOT: dir.resolve('root').toString(),
                CGROOVY_CGROUP_PARENT: cgroupParent, CGROOVY_HISTORY: dir.resolve('history').toString())
        pb.redirectError(dir.resolve('serve.err').toFile()).start()
    }

    String errors() { Files.readString(dir.resolve('serve.err')) }

    def "serve --tcp ... --tlsverify: the start line, the docker CLI with a client certificate, SIGTERM"() {
        given:
        Process p = serve('--tcp', '127.0.0.1:0', '--tlsverify', "--tlscacert=${certs.ca}".toString(), '--tlscert', certs.serverCert.toString(),
                '--tlskey', certs.serverKey.toString())

        when:
        String line = new BufferedReader(new InputStreamReader(p.inputStream)).readLine()
        String host = (line =~ /at (tcp:\/\/127\.0\.0\.1:\d+) /)[0][1]
        def docker = ['docker', '-H', host, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.clientCert, '--tlskey', certs.clientKey,
                      'version', '--format', '{{.Server.APIVersion}}']*.toString()
                .execute(["DOCKER_CONFIG=${dir.resolve('docker-config')}", 'PATH=/usr/local/bin:/usr/bin:/bin']*.toString(), dir.toFile())
        def out = new StringBuilder(), err = new StringBuilder()
        docker.waitForProcessOutput(out, err)
        p.destroy()   // SIGTERM, as systemd stops it

        then:
        line == "cgroovy serve: Docker Engine API 1.41 at ${host} (TLS, clients need a certificate signed by ${certs.ca})"
        docker.exitValue() == 0
        out.toString().trim() == '1.41'
        p.waitFor(60, TimeUnit.SECONDS)

        cleanup:
        p?.destroyForcibly()
    }

    def "refused settings: status 2 and one line"() {
        when:
        Process p = serve(*args.collect { it.replace('%CERT%', certs.serverCert.toString()).replace('%KEY%', certs.serverKey.toString()) })

        then:
        p.waitFor(120, TimeUnit.SECONDS)
        p.exitValue() == 2
        p.inputStream.text == ''
        errors() == message.replace('%DIR%', certs.dir.toString()) + '\n'

        where:
        args                                                                                      || message
        ['--tcp', '0.0.0.0:0']                                                                    || '--tcp 0.0.0.0:0: only loopback addresses are served without --tlsverify (an unauthenticated Docker API is root on this host)'
        ['--tcp', '0.0.0.0:0', '--tls', '--tlscert', '%CERT%', '--tlskey', '%KEY%']               || '--tcp 0.0.0.0:0: only loopback addresses are served without --tlsverify (--tls alone lets any client in, and the Docker API is root on this host)'
        ['--tcp', '127.0.0.1:0', '--tls', '--tlscert', '%CERT%', '--tlskey', '%KEY%x']            || "cgroovy serve: %DIR%/server-key.pemx: no such file"
    }
}

package io.cgroovy.api

import io.cgroovy.testing.TestCerts
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * `cgroovy serve --tcp ... --tlsverify` (dockerd's flags) with certificates the real openssl made: the
 * real `docker` CLI with its client certificate works, clients without one or with one from another CA
 * are refused and leave nothing behind, and TCP beyond loopback needs --tlsverify. The DSL's engine word
 * drives the same server in TLS.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(300)
class TlsCliSpec extends Specification {
    /** The log the server writes refused handshakes to. */
    @Shared ByteArrayOutputStream log = new ByteArrayOutputStream()
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared @AutoCleanup TestCerts certs = new TestCerts()
    /** Spock cleans up in reverse order: this server closes before the engine. */
    @Shared @AutoCleanup Serve tls = Serve.start(served.engine, ['--tcp', '127.0.0.1:0', '--tlsverify', '--tlscacert', certs.ca,
            '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]*.toString() as String[], new PrintStream(log, true))
    @Shared String host = tls.dockerHost()

    /** The docker CLI against the TLS server with {@code tlsArgs}, {@code input} on its stdin; [status, stdout, stderr]. */
    List dockerWith(List<String> tlsArgs, String input, String... args) { dockerAt(host, tlsArgs, input, args) }

    List dockerAt(String at, List<String> tlsArgs, String input, String... args) {
        def p = (['docker', '-H', at] + tlsArgs + args.toList()).execute(served.env(at), served.tmp.toFile())
        if (input != null) p.outputStream.write(input.getBytes('UTF-8'))
        p.outputStream.close()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        [p.exitValue(), out.toString(), err.toString()]
    }

    List<String> good() { ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.clientCert, '--tlskey', certs.clientKey]*.toString() }

    List docker(String... args) { dockerWith(good(), null, args) }

    def "the docker CLI with a client certificate: version, run --rm, ps, exec (also exec -i: stdin ends over TLS)"() {
        when:
        def version = docker('version', '--format', '{{.Server.APIVersion}}')
        def run = docker('run', '--rm', 'busybox', 'echo', 'hi')
        def detached = docker('run', '-d', '--name', 'tlsbox', 'busybox', 'sleep', '600')
        def ps = docker('ps', '--format', '{{.Names}} {{.Status}}')
        def exec = docker('exec', 'tlsbox', 'sh', '-c', 'echo in $(hostname); echo err >&2')
        def execIn = dockerWith(good(), 'line one\nline two\n', 'exec', '-i', 'tlsbox', 'sh', '-c', 'wc -l')

        then:
        version[0] == 0 && version[1].trim() == ApiVersion.CURRENT
        run[0] == 0 && run[1] == 'hi\n'
        detached[0] == 0
        ps[0] == 0 && ps[1].readLines().any { it.startsWith('tlsbox Up') }
        exec[0] == 0 && exec[1] == "in ${detached[1].trim().substring(0, 12)}\n".toString() && exec[2] == 'err\n'
        execIn[0] == 0 && execIn[1].trim() == '2'

        cleanup:
        docker('rm', '-f', 'tlsbox')
    }

    def "DOCKER_TLS_VERIFY and DOCKER_CERT_PATH work as well as the flags"() {
        when:
        def p = ['docker', 'version', '--format', '{{.Server.APIVersion}}'].execute(
                served.env(host) + ['DOCKER_TLS_VERIFY=1', "DOCKER_CERT_PATH=${certs.clientDir()}".toString()], served.tmp.toFile())
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)

        then:
        p.exitValue() == 0
        out.toString().trim() == ApiVersion.CURRENT
    }

    /** Clients the server must refuse: no certificate, one from another CA, plain HTTP, one that hangs up at once. */
    void refusals(List<List> results) {
        results << dockerWith(['--tlsverify', '--tlscacert', certs.ca.toString()], null, 'version', '--format', '{{.Server.APIVersion}}')
        results << dockerWith(['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.otherCert, '--tlskey', certs.otherKey]*.toString(), null,
                'version', '--format', '{{.Server.APIVersion}}')
        results << dockerWith([], null, 'version', '--format', '{{.Server.APIVersion}}')
        new Socket('127.0.0.1', port()).close()
    }

    int port() { host.substring(host.lastIndexOf(':') + 1) as int }

    def "clients without a certificate, or with one from another CA, are refused; the server keeps serving and leaks nothing"() {
        given: 'a round first: class loading and the JVM pools in the baseline'
        refusals([])
        assert LeakSpec.settle { tls.http().openConnections() == 0 }
        int fdsBefore = LeakSpec.fds(), threadsBefore = LeakSpec.threads()

        when:
        List<List> results = []
        3.times { refusals(results) }
        def fine = LeakSpec.settle { LeakSpec.fds() <= fdsBefore && LeakSpec.threads() <= threadsBefore && tls.http().openConnections() == 0 }

        then: 'the docker CLI says why'
        results.every { it[0] != 0 && it[1].trim() == '' }
        results.indexed().every { i, r -> i % 3 == 2 || r[2].contains('the server probably has client authentication (--tlsverify) enabled') && r[2].contains('remote error: tls: bad certificate') }
        results.indexed().every { i, r -> i % 3 != 2 || r[2].contains('Are you trying to connect to a TLS-enabled daemon without TLS?') }

        and: 'the server logged each refusal in one line and goes on serving'
        log.toString().readLines().count { it.startsWith('cgroovy serve: TLS handshake with 127.0.0.1:') } >= 9
        docker('version', '--format', '{{.Server.APIVersion}}')[1].trim() == ApiVersion.CURRENT

        and: 'no fd, thread or connection is left'
        fine || { assert LeakSpec.fds() <= fdsBefore: "fds ${fdsBefore} -> ${LeakSpec.fds()}"; assert LeakSpec.threads() <= threadsBefore: "threads ${threadsBefore} -> ${LeakSpec.threads()}: ${Thread.allStackTraces.keySet()*.name.countBy { it }}"; false }()
    }

    /** Starts the docker CLI (good certificate), waits until its output shows {@code until}, then kills it: the client vanishes mid-stream. */
    void vanishAfter(String until, String... args) {
        def p = (['docker', '-H', host] + good() + args.toList()).execute(served.env(host), served.tmp.toFile())
        try {
            def seen = new StringBuffer()
            p.consumeProcessOutput(seen, seen)
            long end = System.currentTimeMillis() + 30_000
            while (!seen.contains(until) && p.alive && System.currentTimeMillis() < end) sleep 50
            assert seen.contains(until): "expected '${until}' from docker ${args.join(' ')}: ${seen}"
        } finally {
            p.destroy()
            p.waitFor()
        }
    }

    void vanishingStreams() {
        vanishAfter('started', 'logs', '-f', 'streamer')
        vanishAfter('streamer', 'events', '--since', '0')
        vanishAfter('tick', 'attach', '--sig-proxy=false', 'streamer')   // a SIGTERM to the CLI must not reach the container
        vanishAfter('CPU', 'stats', 'streamer')
    }

    def "streams over TLS whose client vanishes (logs -f, events, attach, stats) leave no fd, thread or connection"() {
        given:
        assert docker('run', '-d', '--name', 'streamer', 'busybox', 'sh', '-c', 'echo started; while true; do echo tick; sleep 1; done')[0] == 0
        vanishingStreams()
        assert LeakSpec.settle { tls.http().openConnections() == 0 }
        int fdsBefore = LeakSpec.fds(), threadsBefore = LeakSpec.threads()

        when:
        2.times { vanishingStreams() }
        def fine = LeakSpec.settle { LeakSpec.fds() <= fdsBefore && LeakSpec.threads() <= threadsBefore && tls.http().openConnections() == 0 }

        then:
        fine || { assert LeakSpec.fds() <= fdsBefore: "fds ${fdsBefore} -> ${LeakSpec.fds()}"; assert LeakSpec.threads() <= threadsBefore: "threads ${threadsBefore} -> ${LeakSpec.threads()}: ${Thread.allStackTraces.keySet()*.name.countBy { it }}"; false }()
        docker('ps', '--format', '{{.Names}}')[1].trim() == 'streamer'

        cleanup:
        docker('rm', '-f', 'streamer')
    }

    def "TCP beyond loopback: refused without --tlsverify (also with --tls alone), served with it"() {
        given:
        List<String> files = ['--tlscert', certs.serverCert, '--tlskey', certs.serverKey]*.toString()

        when:
        Serve.start(served.engine, ['--tcp', '0.0.0.0:0'] as String[], System.err)
        then:
        def plain = thrown(ServeException)
        plain.message == '--tcp 0.0.0.0:0: only loopback addresses are served without --tlsverify (an unauthenticated Docker API is root on this host)'

        when:
        Serve.start(served.engine, (['--tcp', '0.0.0.0:0', '--tls'] + files) as String[], System.err)
        then:
        def tlsOnly = thrown(ServeException)
        tlsOnly.message == '--tcp 0.0.0.0:0: only loopback addresses are served without --tlsverify (--tls alone lets any client in, and the Docker API is root on this host)'

        when: 'bound on every address; the client connects to 127.0.0.1 only (nothing leaves the machine)'
        def wide = Serve.start(served.engine, (['--tcp', '0.0.0.0:0', '--tlsverify', "--tlscacert=${certs.ca}"] + files) as String[], System.err)
        int widePort = wide.http().address().port
        def v = dockerAt("tcp://127.0.0.1:${widePort}", good(), null, 'version', '--format', '{{.Server.APIVersion}}')

        then:
        wide.dockerHost() == "tcp://0.0.0.0:${widePort}"
        v[0] == 0 && v[1].trim() == ApiVersion.CURRENT

        cleanup:
        wide?.close()
    }

    def "--tls without verification serves loopback: clients need no certificate, only trust in the server's"() {
        when:
        def open = Serve.start(served.engine, ['--tcp', '127.0.0.1:0', '--tls', '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]*.toString() as String[], System.err)
        def v = dockerAt(open.dockerHost(), ['--tlsverify', '--tlscacert', certs.ca.toString()], null, 'version', '--format', '{{.Server.APIVersion}}')

        then:
        v[0] == 0 && v[1].trim() == ApiVersion.CURRENT

        cleanup:
        open?.close()
    }

    def "bad TLS options and files: one line naming the flag or the file"() {
        given:
        def fill = { String t -> t.replace('%CA%', certs.ca.toString()).replace('%SCERT%', certs.serverCert.toString()).replace('%SKEY%', certs.serverKey.toString())
                .replace('%OKEY%', certs.otherKey.toString()).replace('%DIR%', certs.dir.toString()) }

        when:
        Serve.start(served.engine, (['--tcp', '127.0.0.1:0'] + args.collect(fill)) as String[], System.err)

        then:
        def e = thrown(ServeException)
        !e.message.contains('\n')
        e.message == fill(message)

        where:
        args                                                                                           || message
        ['--tlsverify', '--tlscacert', '%DIR%/none.pem', '--tlscert', '%SCERT%', '--tlskey', '%SKEY%'] || 'cgroovy serve: %DIR%/none.pem: no such file'
        ['--tlsverify', '--tlscacert', '%CA%', '--tlscert', '%DIR%/ca.srl', '--tlskey', '%SKEY%']      || 'cgroovy serve: %DIR%/ca.srl: not a PEM file (no -----BEGIN ...----- block)'
        ['--tlsverify', '--tlscacert', '%SKEY%', '--tlscert', '%SCERT%', '--tlskey', '%SKEY%']         || 'cgroovy serve: %SKEY%: no PEM certificate in it (-----BEGIN CERTIFICATE-----)'
        ['--tlsverify', '--tlscacert', '%CA%', '--tlscert', '%SCERT%', '--tlskey', '%CA%']             || 'cgroovy serve: %CA%: no PEM private key in it (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)'
        ['--tlsverify', '--tlscacert', '%CA%', '--tlscert', '%SCERT%', '--tlskey', '%OKEY%']           || 'cgroovy serve: %OKEY%: its RSA key does not go with the EC certificate in %SCERT%'
        ['--tls', '--tlscacert', '%CA%', '--tlscert', '%SCERT%', '--tlskey', '%SKEY%']                 || 'cgroovy serve: --tlscacert is for verifying clients: add --tlsverify'
        ['--tlscert', '%SCERT%', '--tlskey', '%SKEY%']                                                  || 'cgroovy serve: --tlscacert, --tlscert and --tlskey need --tlsverify (or --tls)'
        ['--tlsverify=maybe']                                                                           || 'cgroovy serve: --tlsverify=maybe: expected true or false'
    }

    def "TLS is for TCP: the unix socket refuses it"() {
        when:
        Serve.start(served.engine, ['--socket', served.tmp.resolve('other.sock').toString(), '--tlsverify'] as String[], System.err)

        then:
        def e = thrown(ServeException)
        e.message == 'cgroovy serve: TLS is for --tcp; the unix socket is guarded by its permissions'
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    /** Snippets on this spec's engine, the word's TLS settings read from {@code env} (not this process's). */
    DslRunner dsl(Map<String, String> env = [:]) { new DslRunner(engine: served.engine, out: out, err: err, environment: env) }

    /** Runs {@code code} in the DSL (the word's TLS settings read from {@code env}); the last value. */
    Object eval(String code, Map<String, String> env = [:]) { dsl(env).eval(code) }

    String failure(String code, Map<String, String> env = [:]) { dsl(env).failure(code) }

    def "the DSL's engine word with tls: [ca:, cert:, key:] runs a recipe over TLS"() {
        when:
        def c = eval("""
            engine '${host}', tls: [ca: '${certs.ca}', cert: '${certs.clientCert}', key: '${certs.clientKey}']
            def box = container('busybox') { name 'tls-word'; detach(); run 'sleep 600' }
            box.exec 'echo exec over tls'
            container('busybox') { env WHERE: 'tls'; run 'echo over \$WHERE; exit 4' }""")

        then:
        c.exitCode == 4
        out.toString() == 'exec over tls\nover tls\n'
        eval("engine '${host}', tls: [ca: '${certs.ca}', cert: '${certs.clientCert}', key: '${certs.clientKey}']") ==~ /engine ${host}: .*\(API 1\.41\), TLS/

        cleanup:
        served.removeContainers()
    }

    def "Ctrl-C stops a foreground container over TLS too (the TLS socket is layered on an interruptible channel)"() {
        when:
        DslRunner.Interrupted run = dsl().interruptWhenShown('up', """engine '${host}', tls: '${certs.dir}'
                    container('busybox') { name 'fg'; run 'trap "exit 143" TERM; echo up; while true; do sleep 1; done' }""")

        then:
        !run.alive
        run.failed == null
        run.result.exitCode == 143
        run.cancelled
        served.engine.ps(true).isEmpty()

        cleanup:
        served.removeContainers()
    }

    def "DOCKER_TLS_VERIFY with DOCKER_CERT_PATH, or tls: 'DIR', take ca.pem, cert.pem and key.pem as the docker CLI does"() {
        expect:
        eval("engine '${host}'", [DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.dir.toString()]).endsWith(', TLS')
        eval("engine '${host}', tls: '${certs.dir}'").endsWith(', TLS')
        eval("engine '${host}', tls: true", [DOCKER_CERT_PATH: certs.dir.toString()]).endsWith(', TLS')
        failure("engine '${host}', tls: false", [DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.dir.toString()]).startsWith("engine '${host}': ")
    }

    def "the engine word's TLS refusals and mistakes are one line each"() {
        given:
        def plain = Serve.start(served.engine, ['--tcp', '127.0.0.1:0'] as String[], System.err)

        expect: 'the server refuses a client without a certificate or with one from another CA'
        failure("engine '${host}', tls: [ca: '${certs.ca}']") ==
                "engine '${host}': ${host}: GET /version: TLS: the engine refused this client's certificate (Received fatal alert: bad_certificate; it wants one signed by its CA)"
        failure("engine '${host}', tls: [ca: '${certs.ca}', cert: '${certs.otherCert}', key: '${certs.otherKey}']") ==
                "engine '${host}': ${host}: GET /version: TLS: the engine refused this client's certificate (Received fatal alert: bad_certificate; it wants one signed by its CA)"

        and: 'the client refuses a server its CA did not sign'
        failure("engine '${host}', tls: [ca: '${certs.otherCa}', cert: '${certs.clientCert}', key: '${certs.clientKey}']")
                .startsWith("engine '${host}': cannot connect to ${host}: TLS: the engine's certificate is not signed by the trusted CA (")

        and: 'TLS to a plain server, plain to a TLS server'
        failure("engine '${plain.dockerHost()}', tls: '${certs.dir}'").startsWith("engine '${plain.dockerHost()}': cannot connect to ${plain.dockerHost()}: TLS: ")
        failure("engine '${host}'") == "engine '${host}': ${host}: not an HTTP answer to GET /version"

        and: 'bad options and files'
        failure("engine '${host}', tls: [ca: '${certs.dir}/none.pem']") == "engine '${host}': ${certs.dir}/none.pem: no such file"
        failure("engine '${host}', tls: [ca: '${certs.ca}', cert: '${certs.clientCert}']") ==
                "engine '${host}': a certificate needs its key and a key its certificate (got only ${certs.clientCert})"
        failure("engine '${host}', tls: [ca: '${certs.ca}', crt: 'x']") == "engine '${host}': tls: unknown key 'crt' (ca, cert, key)"
        failure("engine '${host}', tsl: true") == "engine '${host}': unknown option 'tsl' (tls: [ca: FILE, cert: FILE, key: FILE])"
        failure("engine 'unix://${served.socket}', tls: true") == "engine 'unix://${served.socket}': tls: is for tcp:// addresses (unix://${served.socket} is not one)"

        and: 'the server still serves'
        eval("engine '${host}', tls: '${certs.dir}'").endsWith(', TLS')

        cleanup:
        plain?.close()
    }
}

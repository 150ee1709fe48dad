package io.cgroovy.api

import io.cgroovy.image.LocalRegistry
import org.junit.jupiter.api.Assumptions
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path

/**
 * The DSL's `engine` word: the same recipes run on the built-in runtime, through `engine` against
 * `cgroovy serve` (started here), and through `engine` against a real `podman system service`
 * (started here, storage of its own in a temp dir), and give the same results; the same again through
 * `engine 'ssh://root@127.0.0.1:PORT'` to a real sshd (started here) whose sessions reach cgroovy serve
 * through `docker system dial-stdio`.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(900)
class EngineWordSpec extends Specification {
    static final String SSH = 'ssh to cgroovy serve'
    static final List<String> TARGETS = ['built-in', 'cgroovy serve', SSH, 'podman']

    /** A layer's line as docker pull prints it (the built-in runtime's PullProgress, cgroovy serve's and Podman's JSON stream alike). */
    static final java.util.regex.Pattern PULL_PROGRESS = ~/.*[0-9a-f]{12}: (Pull complete|Download complete|Already exists).*/

    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared PodmanService podman
    @Shared String podmanMissing
    @Shared LocalRegistry registry
    @Shared SshServer sshd
    @Shared String sshMissing

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        registry = LocalRegistry.start(served.tmp.resolve('registry'))
        sshMissing = SshServer.unavailable()
        if (sshMissing == null) {
            try {
                sshd = new SshServer(served.serve.dockerHost())
                System.setProperty(io.cgroovy.dsl.client.SshDialer.OPTIONS_PROPERTY, sshd.sshOptions())
            } catch (Exception e) {
                sshMissing = "sshd cannot run here: ${e.message}"
            }
        }
        podmanMissing = PodmanService.unavailable()
        if (podmanMissing == null) {
            try {
                podman = new PodmanService(registry.host)
                // podman gets busybox the way a user would give it: a docker save archive, loaded through the engine word
                Path archive = served.tmp.resolve('busybox.tar')
                served.engine.images().save('busybox', archive, 'docker-archive')
                eval('podman', "load '${archive}'")
            } catch (Exception e) {
                podmanMissing = "podman system service cannot run here: ${e.message}"
                podman?.close()
                podman = null
            }
        }
    }

    // served goes after this, also when it fails
    def cleanupSpec() {
        try {
            System.clearProperty(io.cgroovy.dsl.client.SshDialer.OPTIONS_PROPERTY)
            sshd?.close()
        } finally {
            podman?.close()
            registry?.close()
        }
    }

    def cleanup() {
        served?.removeContainers()
        podman?.clean()
        served?.engine?.volumes()?.list()?.each { served.engine.volumes().removeQuietly(it) }
    }

    /** The address `engine` is given for {@code target}; null for the built-in runtime. */
    String address(String target) {
        switch (target) {
            case 'built-in': return null
            case 'cgroovy serve': return served.serve.dockerHost()
            case SSH:
                Assumptions.assumeTrue(sshd != null, "ssh part skipped: ${sshMissing}".toString())
                return "ssh://root@127.0.0.1:${sshd.port}".toString()
            default:
                Assumptions.assumeTrue(podman != null, "podman part skipped: ${podmanMissing}".toString())
                return podman.address()
        }
    }

    /** {@code code} after the engine word for {@code target}; as it is for the built-in runtime. */
    String onTarget(String target, String code) {
        String a = address(target)
        (a ? "engine '${a}'\n" : '') + code
    }

    /** Snippets on this spec's engine, printing to out and err. */
    DslRunner dsl() { new DslRunner(engine: served.engine, out: out, err: err) }

    /** Runs {@code code} as a shell snippet on {@code target}: after an engine word, or on the built-in runtime. */
    Object eval(String target, String code) { dsl().eval(onTarget(target, code)) }

    String failure(String target, String code) { dsl().failure(onTarget(target, code)) }

    def "busybox echo with env, workdir, memory and exit code 3 on #target"() {
        when:
        def c = eval(target, '''
            container('busybox') { env GREETING: 'hi'; workdir '/tmp'; memory '64m'; run 'echo $GREETING from $(pwd); echo oops >&2; exit 3' }''')

        then:
        c.exitCode == 3
        out.toString() == 'hi from /tmp\n'
        err.toString() == 'oops\n'

        and: 'the foreground container was removed when it ended'
        eval(target, 'ps(all: true)').isEmpty()

        where:
        target << TARGETS
    }

    def "a detached container: labels, logs, exec, ps, kill, wait, stop, rm on #target"() {
        when:
        def c = eval(target, '''
            container('busybox') { detach(); name 'svc'; labels team: 'dsl'; run 'trap "exit 7" TERM; echo started; while true; do sleep 1; done' }''')

        then:
        c.detached
        c.status == 'running'
        c.inspect().labels().team == 'dsl'
        eval(target, 'ps()')*.name == ['svc']

        when: 'its log, as logs prints it'
        long end = System.currentTimeMillis() + 30_000
        while (!out.toString().contains('started') && System.currentTimeMillis() < end) {
            out.reset()
            eval(target, "logs 'svc'")
            Thread.sleep(100)
        }

        then:
        out.toString() == 'started\n'

        when: 'exec: output, error stream and exit status'
        out.reset(); err.reset()
        int code = eval(target, '''inspect('svc').exec 'echo $((6 * 7)); echo e >&2; exit 5\'''')

        then:
        code == 5
        out.toString() == '42\n'
        err.toString() == 'e\n'

        when: 'kill TERM: its trap exits 7, which wait returns'
        int status = eval(target, "c = inspect('svc'); c.kill('TERM'); c.wait()")

        then:
        status == 7
        eval(target, "inspect('svc').status") == 'exited'
        eval(target, 'ps()').isEmpty()
        eval(target, 'ps(all: true)')*.name == ['svc']

        when: 'a container that ignores SIGTERM is stopped with SIGKILL after the timeout; rm removes it'
        eval(target, "container('busybox') { detach(); name 'stubborn'; run 'sleep 300' }")
        int stopped = eval(target, "stop 'stubborn', time: 1")
        eval(target, "rm 'stubborn'; rm 'svc'")

        then:
        stopped == 137
        eval(target, 'ps(all: true)').isEmpty()

        where:
        target << TARGETS
    }

    def "a healthcheck goes with the container: #target reports it healthy"() {
        when:
        def c = eval(target, """container('busybox') { detach(); name 'checked'; healthcheck 'test -e /tmp/ok', interval: '1s', retries: 1
                                                       run 'touch /tmp/ok; sleep 300' }""")
        long end = System.currentTimeMillis() + 60_000
        while (c.healthStatus != 'healthy' && System.currentTimeMillis() < end) Thread.sleep(200)

        then:
        c.healthStatus == 'healthy'

        where: // (podman runs health checks from systemd timers: none on a machine without systemd)
        target << ['built-in', 'cgroovy serve', SSH]
    }

    def "a named volume written by one container is read by another on #target"() {
        when:
        eval(target, '''
            volume 'engine-data'
            container('busybox') { volume 'engine-data', '/data'; run 'echo saved > /data/f' }
            container('busybox') { volume 'engine-data', '/data', readOnly: true; run 'cat /data/f; touch /data/g || echo read-only' }''')

        then:
        out.toString().readLines() == ['saved', 'read-only']
        eval(target, 'volumes()').contains('engine-data')

        when:
        eval(target, "rmVolume 'engine-data'")

        then:
        !eval(target, 'volumes()').contains('engine-data')

        where:
        target << TARGETS
    }

    def "a published port answers a Java HTTP client on 127.0.0.1 on #target"() {
        given:
        Assumptions.assumeTrue(ServedEngine.firewallWorks(), 'no firewall backend in this kernel: published ports cannot work')
        int port = LocalRegistry.freePort()

        when:
        def c = eval(target, """
            container('busybox') { detach(); name 'web'; network bridge; publish '127.0.0.1:${port}:8080'
                                   run 'mkdir -p /www && echo hello from \$(hostname -s | cut -c1-3) > /www/index.html && exec httpd -f -p 8080 -h /www' }""")
        HttpResponse<String> r = httpGet("http://127.0.0.1:${port}/index.html")

        then:
        r.statusCode() == 200
        r.body().startsWith('hello from ')
        c.ips.size() == 1

        where:
        target << TARGETS
    }

    def "images, pull with progress from a local registry, tag and rmi on #target"() {
        given: 'busybox pushed to a docker-registry on 127.0.0.1'
        String ref = "${registry.host}/engine/bb:1".toString()
        served.engine.images().push('busybox', ref, io.cgroovy.image.RegistryOptions.defaults().dockerConfig(served.tmp.resolve('dc')))
        // the built-in runtime shares the store with cgroovy serve: start each run without the pulled name
        ['engine/bb:1', 'engine/bb:2'].each { if (served.engine.images().contains("${registry.host}/${it}")) served.engine.images().remove("${registry.host}/${it}".toString()) }

        expect:
        eval(target, 'images()').any { it.tags.any { t -> t.contains('busybox') } }

        when:
        def img = eval(target, "pull '${ref}'")

        then: 'the same image (its config digest) and progress lines as docker pull prints'
        img.id == served.engine.images().inspect('busybox').id()
        println "pull on ${target}:\n${err}"
        err.toString().readLines().any { it ==~ PULL_PROGRESS }

        when:
        eval(target, "tag '${ref}', '${registry.host}/engine/bb:2'; rmi '${ref}'")
        def tags = eval(target, 'images()')*.tags.flatten()

        then:
        tags.contains("${registry.host}/engine/bb:2".toString())
        !tags.contains(ref)

        cleanup:
        try { eval(target, "rmi '${registry.host}/engine/bb:2'") } catch (Exception ignored) { }

        where:
        target << TARGETS
    }

    def "networks: create, list, remove on #target"() {
        when:
        def n = eval(target, "network('engine-net') { subnet '10.123.45.0/24' }")

        then:
        n.name == 'engine-net'
        n.subnet == '10.123.45.0/24'
        eval(target, 'networks()')*.name.contains('engine-net')

        when:
        eval(target, "rmNetwork 'engine-net'")

        then:
        !eval(target, 'networks()')*.name.contains('engine-net')

        where:
        target << TARGETS
    }

    def "a word the remote engine cannot do names itself and the engine on #target"() {
        when:
        eval(target, "container('busybox') { detach(); name 'views'; run 'sleep 300' }")

        then:
        failure(target, "inspect('views').explain()") == "explain: not available on engine ${address(target)} (it needs cgroovy's built-in runtime; engine 'local' switches back)".toString()
        failure(target, "imageTree()").startsWith('imageTree: not available on engine')
        failure(target, "build 'nosuchdir'").startsWith('build: ')

        and: "engine 'local' goes back: the same words work"
        eval(target, "engine 'local'; container('busybox') { run 'echo back' }").exitCode == 0
        out.toString() == 'back\n'

        where:
        target << ['cgroovy serve', SSH, 'podman']
    }

    def "Ctrl-C stops a foreground container (SIGTERM, SIGKILL after 3 s) and it is removed, on #target"() {
        given:
        String code = onTarget(target, """container('busybox') { name 'fg'; run 'trap "exit 143" TERM; echo up; while true; do sleep 1; done' }""")

        when:
        DslRunner.Interrupted run = dsl().interruptWhenShown('up', code)

        then:
        !run.alive
        run.failed == null
        run.result.exitCode == 143
        run.cancelled
        eval(target, 'ps(all: true)').isEmpty()

        where:
        target << TARGETS
    }

    def "engine 'tcp://127.0.0.1:PORT' drives cgroovy serve on loopback TCP"() {
        given:
        int port = LocalRegistry.freePort()
        Serve tcp = Serve.start(served.engine, ['--tcp', "127.0.0.1:${port}".toString()] as String[], System.err)

        when:
        def c = eval('built-in', """
            engine 'tcp://127.0.0.1:${port}'
            container('busybox') { env WHERE: 'tcp'; run 'echo over \$WHERE; exit 4' }""")

        then:
        c.exitCode == 4
        out.toString() == 'over tcp\n'
        eval('built-in', "engine 'tcp://127.0.0.1:${port}'").startsWith("engine tcp://127.0.0.1:${port}: ")

        cleanup:
        tcp?.close()
    }

    def "bad engine addresses get one-line errors"() {
        expect:
        failure('built-in', "engine 'ftp://x'") == "engine 'ftp://x': 'ftp://x' is not an engine address: unix:///path/to.sock, tcp://host:port, ssh://[user@]host[:port][/path/to.sock] or 'local'"
        failure('built-in', "engine 'unix:///nonexistent/d.sock'").startsWith("engine 'unix:///nonexistent/d.sock': cannot connect to unix:///nonexistent/d.sock")
        failure('built-in', "engine 'tcp://127.0.0.1:${LocalRegistry.freePort()}'").contains('cannot connect to tcp://127.0.0.1:')
        eval('built-in', 'engine()') == 'local'
    }

    static HttpResponse<String> httpGet(String url) {
        HttpClient client = HttpClient.newHttpClient()
        long end = System.currentTimeMillis() + 20_000
        while (true) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
            } catch (IOException e) {
                if (System.currentTimeMillis() > end) throw e
                Thread.sleep(200)
            }
        }
    }
}

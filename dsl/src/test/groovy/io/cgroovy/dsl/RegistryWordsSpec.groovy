package io.cgroovy.dsl

import io.cgroovy.image.LocalRegistry
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * The registry words against a real docker-registry on 127.0.0.1: push, pull (with progress
 * lines), container(...) pulling a missing image, save, login into a temporary DOCKER_CONFIG.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class RegistryWordsSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('dsl-reg')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String cgroupParent = fixture.cgroupParent
    @Shared @AutoCleanup LocalRegistry registry
    @Shared String host
    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        registry = LocalRegistry.start(tmp.resolve('registry'))
        host = registry.host
    }

    private Object eval(String code, Engine on = engine) {
        Session session = Session.using(on)
        session.detachStdin(out, err)
        session.dockerConfigDir = tmp.resolve('docker')
        fixture.eval(code, out, err, session)
    }

    private String failure(String code) {
        try {
            eval(code)
        } catch (Throwable t) {
            String m = Errors.message(t)
            assert !m.contains('\n')
            return m
        }
        throw new AssertionError("no error from: $code")
    }

    private String skopeoDigest(String ref) {
        def p = new ProcessBuilder('skopeo', 'inspect', '--tls-verify=false', "docker://$ref".toString()).redirectErrorStream(true).start()
        def text = p.inputStream.text
        assert p.waitFor() == 0: text
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(text, Map).Digest
    }

    def "push, then pull by the DSL words; progress lines as docker pull prints them"() {
        when:
        String digest = eval("push 'busybox', '$host/dsl/bb:1'")

        then:
        digest == skopeoDigest("$host/dsl/bb:1")
        err.toString().contains("$host/dsl/bb:1: digest: $digest")

        when:
        err.reset()
        Image img = eval("pull '$host/dsl/bb:1'")

        then:
        img.tags.contains("$host/dsl/bb:1".toString())
        img.manifestDigest == digest
        err.toString().contains('Already exists')
        err.toString().contains("$host/dsl/bb:1: done")
    }

    def "trace { pull }: resolve, then fetch and unpack of each layer, each step within the pull's time"() {
        given: 'an image with a layer of its own in the registry, and a second store without that layer'
        eval("image('$host/dsl/traced:1') { from 'busybox'; run 'echo traced > /f' }; push '$host/dsl/traced:1'")
        String own = eval("image('$host/dsl/traced:1').layers").last().digest
        Engine fresh = Engine.open(tmp.resolve('root-trace'), cgroupParent)

        when:
        long start = System.nanoTime()
        View t = eval("trace { pull '$host/dsl/traced:1' }", fresh)
        long measured = System.nanoTime() - start
        def run = t.runs[0]
        def steps = run.steps

        then:
        t.runs.size() == 1
        run.name == "pull $host/dsl/traced:1"
        steps[0].what == 'resolve: manifest, config'
        steps.any { it.what.startsWith("fetch + verify layer ${own.substring(7, 19)} (") }
        steps*.what.contains("unpack layer ${own.substring(7, 19)}".toString())
        steps.every { it.nanos >= 0 && it.startNanos + it.nanos <= start + measured }
        run.totalNanos <= measured
        t.text.readLines().every { it.length() <= 80 }

        cleanup:
        fresh?.close()
    }

    def "container(...) of a registry image missing from the store pulls it first, then runs"() {
        given:
        eval("push 'busybox', '$host/dsl/auto:1'") // in the registry; the local store has no such tag
        err.reset()

        when:
        Container c = eval("container('$host/dsl/auto:1') { run 'echo pulled' }")

        then:
        c.exitCode == 0
        out.toString() == 'pulled\n'
        err.toString().startsWith("Unable to find image '$host/dsl/auto:1' locally, pulling it\n")
        eval('images()').toString().contains("$host/dsl/auto ")
    }

    def "save writes an archive that load reads back; login writes the temporary DOCKER_CONFIG"() {
        given:
        Path file = tmp.resolve('bb.tar')

        when:
        eval("save 'busybox', '$file'")
        ImageList loaded = eval("load '$file'")

        then:
        Files.size(file) > 0
        loaded*.tags.flatten().contains('busybox:latest')

        when:
        eval("login '$host', user: 'me', password: 'pw'")

        then:
        err.toString().contains('Login Succeeded')
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(tmp.resolve("docker/config.json").toFile(), Map).auths[host].auth == 'me:pw'.bytes.encodeBase64().toString()
    }

    def "a committed image pushes; a clean store pulls it and runs it with the change and the deletion"() {
        given:
        Container c = eval("container('busybox') { keep true; run 'echo committed > /c.txt && rm /etc/group' }")
        Image img = c.commit('mine:push')
        c.rm()
        Engine other = Engine.open(tmp.resolve('root-' + UUID.randomUUID()), cgroupParent)

        when:
        String digest = eval("push 'mine:push', '$host/dsl/committed:1'")

        then: 'the registry has the manifest the store made, byte for byte'
        digest == img.manifestDigest
        digest == skopeoDigest("$host/dsl/committed:1")

        when:
        out.reset()
        Session session = Session.using(other)
        session.detachStdin(out, err)
        session.dockerConfigDir = tmp.resolve('docker')
        Container r = new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable {
            it.eval("container('$host/dsl/committed:1') { run 'sh', '-c', 'cat /c.txt; test -e /etc/group || echo gone' }")
        } as Container

        then:
        r.exitCode == 0
        out.toString() == 'committed\ngone\n'
        other.images().inspect("$host/dsl/committed:1").id() == img.id

        cleanup:
        other?.close()
        if (other != null) Engine.removeTreeOnOneFs(other.root())
    }

    def "mistakes give one line"() {
        expect:
        failure("pull '$host/dsl/none:1'") == "pull $host/dsl/none:1: not found: manifest unknown".toString()
        failure("login '$host'") == "login $host: needs user: and password:".toString()
        failure("pull '$host/dsl/bb:1', platfrom: 'linux/arm64'") == "unknown option 'platfrom' (platform:, insecure:)"
        failure("container('$host/dsl/none:2') { run 'true' }") == "container('$host/dsl/none:2'): no such image: $host/dsl/none:2 (not in the store, and pulling it failed: pull $host/dsl/none:2: not found: manifest unknown)".toString()
        failure("save 'busybox', '${tmp.resolve('x.tar')}', format: 'zip'") == "save: unknown format 'zip' (docker-archive or oci)"
    }
}

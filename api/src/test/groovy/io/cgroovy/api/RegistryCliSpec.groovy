package io.cgroovy.api

import io.cgroovy.image.LocalRegistry
import io.cgroovy.image.RegistryOptions
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** docker pull / push / save and docker exec through `cgroovy serve`, against a real docker-registry on 127.0.0.1. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(180)
class RegistryCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Path tmp = served.tmp
    @Shared Engine engine = served.engine
    @Shared Serve serve = served.serve
    @Shared @AutoCleanup LocalRegistry registry

    def setupSpec() {
        registry = LocalRegistry.start(tmp.resolve('registry'))
        engine.images().push('busybox', "${registry.host}/team/box:1".toString(), RegistryOptions.defaults())
    }

    def cleanup() {
        served.removeContainers()
    }

    List docker(String... args) { served.docker(args) }

    def "docker pull fetches from the registry into the store, with Docker's progress lines"() {
        def ref = "${registry.host}/team/box:1".toString()

        when:
        def (rc, out, err) = docker('pull', ref)

        then:
        rc == 0
        out.contains('Pull complete') || out.contains('Already exists')
        out.contains('Digest: sha256:')
        out.contains("Status: Downloaded newer image for $ref")
        engine.images().inspect(ref).id() == engine.images().inspect('busybox').id()

        when: 'a tag the registry lacks'
        def (rc2, out2, err2) = docker('pull', "${registry.host}/team/box:nosuch".toString())

        then:
        rc2 != 0
        (out2 + err2).contains('nosuch')

        cleanup:
        engine.images().remove(ref)
    }

    def "docker push uploads, and skopeo reads the same digest back"() {
        def ref = "${registry.host}/team/pushed:2".toString()
        engine.images().tag('busybox', ref)

        when:
        def (rc, out, err) = docker('push', ref)
        def digest = (out =~ /digest: (sha256:[0-9a-f]{64})/)[0][1]
        def remote = ['skopeo', 'inspect', '--tls-verify=false', '--format', '{{.Digest}}', "docker://$ref"].execute().text.trim()

        then:
        rc == 0
        digest == remote

        cleanup:
        engine.images().remove(ref)
    }

    def "docker save writes an archive skopeo reads"() {
        def tar = tmp.resolve('busybox.tar')

        when:
        def (rc, out, err) = docker('save', '-o', tar.toString(), 'busybox')
        def config = ['skopeo', 'inspect', '--config', "docker-archive:$tar"].execute().text

        then:
        rc == 0
        config.contains('"architecture"')
        engine.images().inspect('busybox').id().contains(
                'sha256:' + java.security.MessageDigest.getInstance('SHA-256').digest(
                        ['skopeo', 'inspect', '--raw', '--config', "docker-archive:$tar"].execute().text.bytes).encodeHex().toString())
    }

    def "docker exec runs in a running container with its own env, and returns its status"() {
        given:
        docker('run', '-d', '--name', 'box', 'busybox', 'sleep', '300')

        when:
        def (rc, out, err) = docker('exec', '-e', 'X=42', 'box', 'sh', '-c', 'echo $X $$; cat /proc/1/cmdline | tr "\\0" " "; exit 5')

        then:
        rc == 5
        out.readLines()[0] ==~ /42 \d+/
        out.readLines()[1].trim() == 'sleep 300'

        when: 'stdin goes through -i'
        def p = ['docker', 'exec', '-i', 'box', 'sh', '-c', 'read a; echo got:$a'].execute(served.env(), tmp.toFile())
        p.outputStream.withWriter { it.write('hello\n') }
        def o = new StringBuilder(), e = new StringBuilder()
        p.waitForProcessOutput(o, e)

        then:
        p.exitValue() == 0
        o.toString() == 'got:hello\n'

        when:
        def (rc3, out3, err3) = docker('exec', 'nosuch', 'true')

        then:
        rc3 != 0
        err3.contains('no such container: nosuch')
    }
}

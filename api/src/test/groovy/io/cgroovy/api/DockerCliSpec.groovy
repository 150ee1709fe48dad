package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** The real `docker` CLI against `cgroovy serve` on a unix socket and on loopback TCP. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(180)
class DockerCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Path tmp = served.tmp
    @Shared Engine engine = served.engine
    @Shared Serve serve = served.serve

    List docker(String... args) { served.docker(args) }

    List dockerAt(String host, String... args) { served.dockerAt(host, args) }

    def "docker version negotiates the API version cgroovy serves"() {
        when:
        def (rc, out, err) = docker('version', '--format', '{{.Server.APIVersion}} {{.Server.Os}} {{.Server.Version}}')

        then:
        rc == 0
        out.trim() == "${ApiVersion.CURRENT} linux ${ApiVersion.ENGINE}"
    }

    def "docker info reads the engine's state"() {
        when:
        def (rc, out, err) = docker('info', '--format', '{{.CgroupVersion}} {{.DockerRootDir}} {{.Images}}')

        then:
        rc == 0
        out.trim() == "${engine.cgroups().version()} ${engine.root()} ${engine.images().list().size()}"
    }

    def "docker images lists the store, docker image inspect reads an image"() {
        def busybox = engine.images().inspect('busybox')

        when:
        def (rc, out, err) = docker('images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}')
        def (rc2, out2, err2) = docker('image', 'inspect', 'busybox', '--format', '{{.Id}} {{.Os}} {{len .RootFS.Layers}}')

        then:
        rc == 0
        out.readLines().contains("busybox:latest ${busybox.id()}".toString())
        rc2 == 0
        out2.trim() == "${busybox.id()} linux 1"
    }

    def "docker tag and docker rmi change the store"() {
        def busybox = engine.images().inspect('busybox')

        when:
        def (rc, out, err) = docker('tag', 'busybox', 'team/box:1')

        then:
        rc == 0
        engine.images().inspect('team/box:1').id() == busybox.id()

        when:
        def (rc2, out2, err2) = docker('rmi', 'team/box:1')

        then:
        rc2 == 0
        out2.trim() == 'Untagged: team/box:1'
        engine.images().inspect('busybox').tags() == ['busybox:latest']
    }

    def "docker rmi and inspect of an unknown image fail with the store's one-line error"() {
        when:
        def (rc, out, err) = docker('rmi', 'nosuch:tag')
        def (rc2, out2, err2) = docker('image', 'inspect', 'nosuch:tag')

        then:
        rc != 0
        err.contains('no such image: nosuch:tag')
        rc2 != 0
        err2.toLowerCase().contains('no such image')
    }

    def "docker load reads a docker-save archive written by skopeo"() {
        given: 'an image umoci makes, copied by skopeo into a docker archive'
        def layout = tmp.resolve('layout')
        sh("umoci init --layout $layout && umoci new --image $layout:t && " +
           "skopeo copy -q oci:$layout:t docker-archive:${tmp.resolve('x.tar')}:loaded/img:7")

        when:
        def (rc, out, err) = docker('load', '-i', tmp.resolve('x.tar').toString())

        then:
        rc == 0
        out.trim() == 'Loaded image: loaded/img:7'
        engine.images().inspect('loaded/img:7')

        cleanup:
        engine.images().remove('loaded/img:7')
    }

    def "loopback TCP serves too; other addresses are refused"() {
        when:
        def tcp = Serve.start(engine, ['--tcp', '127.0.0.1:0'] as String[], System.err)
        def (rc, out, err) = dockerAt(tcp.dockerHost(), 'version', '--format', '{{.Server.APIVersion}}')

        then:
        rc == 0
        out.trim() == ApiVersion.CURRENT

        when:
        Serve.start(engine, ['--tcp', '0.0.0.0:0'] as String[], System.err)

        then:
        def e = thrown(ServeException)
        e.message.contains('only loopback')

        cleanup:
        tcp?.close()
    }

    def "a second server on a live socket is refused"() {
        when:
        Serve.start(engine, ['--socket', tmp.resolve('docker.sock').toString()] as String[], System.err)

        then:
        def e = thrown(ServeException)
        e.message.contains('another server is listening')
    }

    void sh(String cmd) {
        def p = ['sh', '-c', cmd].execute()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        assert p.exitValue() == 0, "$cmd: $err"
    }
}

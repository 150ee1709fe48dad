package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** docker run / ps / logs / stop / rm ... with the real `docker` CLI against `cgroovy serve`. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(180)
class ContainerCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Path tmp = served.tmp
    @Shared Engine engine = served.engine
    @Shared Serve serve = served.serve

    def cleanup() {
        served.removeContainers()
        assert engine.cgroups().parentDirs().every { d -> !Files.isDirectory(d) || Files.list(d).withCloseable { s -> s.noneMatch { Files.isDirectory(it) } } }
    }

    List docker(String... args) { served.docker(args) }

    def "docker run --rm prints the output, exits with the container's status and leaves nothing"() {
        when:
        def (rc, out, err) = docker('run', '--rm', 'busybox', 'echo', 'hi')

        then:
        rc == 0
        out == 'hi\n'
        engine.ps(true).isEmpty()

        when:
        def (rc2, out2, err2) = docker('run', '--rm', 'busybox', 'sh', '-c', 'echo to-err >&2; exit 3')

        then:
        rc2 == 3
        err2.contains('to-err')
        engine.ps(true).isEmpty()
    }

    def "docker run -i: piped input reaches the container and its end ends the container's stdin"() {
        when:
        def (rc, out, err) = served.dockerPiped('hi\n', 'run', '-i', '--rm', 'busybox', 'cat')

        then:
        rc == 0
        out == 'hi\n'

        when:
        def (rc2, out2, err2) = served.dockerPiped('a\nb\n', 'run', '-i', '--rm', 'busybox', 'wc', '-l')

        then:
        rc2 == 0
        out2.trim() == '2'

        when: 'no input at all'
        def (rc3, out3, err3) = served.dockerPiped('', 'run', '-i', '--rm', 'busybox', 'sh', '-c', 'exit 3')

        then:
        rc3 == 3
        engine.ps(true).isEmpty()
    }

    def "docker exec -i: piped input reaches the process in a detached container, its end ends it"() {
        given:
        docker('run', '-d', '--name', 'reader', 'busybox', 'sleep', '300')

        when:
        def (rc, out, err) = served.dockerPiped('x\n', 'exec', '-i', 'reader', 'cat')

        then:
        rc == 0
        out == 'x\n'

        when:
        def (rc2, out2, err2) = served.dockerPiped('1\n2\n3\n', 'exec', '-i', 'reader', 'sh', '-c', 'wc -l; exit 5')

        then:
        rc2 == 5
        out2.trim() == '3'
    }

    def "docker run passes limits, env and hostname through"() {
        when:
        def (rc, out, err) = docker('run', '--rm', '-m', '64m', '-e', 'GREETING=hello', '-h', 'box', 'busybox', 'sh', '-c',
                'echo $GREETING $(hostname) $(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)')

        then:
        rc == 0
        out.trim() == 'hello box 67108864'
    }

    def "a detached container is listed, logged, stopped, inspected and removed"() {
        when:
        def (rc, out, err) = docker('run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line$i; done; exec sleep 300')
        def id = out.trim()

        then:
        rc == 0
        id ==~ /[0-9a-f]{64}/

        when:
        def (rc2, ps) = docker('ps', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Status}}')

        then:
        rc2 == 0
        ps.readLines().any { it.startsWith("$id web busybox Up") }

        when: 'the log has all three lines (allow the shell a moment to write them)'
        def logs = ''
        for (int i = 0; i < 100 && !logs.contains('line3'); i++) { logs = docker('logs', 'web')[1]; sleep(50) }
        def tail = docker('logs', '--tail', '1', 'web')[1]

        then:
        logs == 'line1\nline2\nline3\n'
        tail == 'line3\n'

        when:
        def (rc3) = docker('stop', '-t', '1', 'web')
        def (rc4, state) = docker('inspect', 'web', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.Name}}')

        then:
        rc3 == 0
        state.trim() == 'exited 137 /web' || state.trim() == 'exited 143 /web'

        when:
        def (rc5, psAll) = docker('ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}')
        def (rc6) = docker('rm', 'web')

        then:
        psAll.readLines() == ['web']
        rc6 == 0
        engine.ps(true).isEmpty()
    }

    def "docker logs -f follows until the container ends"() {
        when:
        docker('run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo tick$i; sleep 0.3; done')
        def (rc, out, err) = docker('logs', '-f', 'ticker')

        then:
        rc == 0
        out == 'tick1\ntick2\ntick3\n'
    }

    def "errors: an unknown container, a name in use, a running container removed without force, an unsupported option"() {
        when:
        def (rc, out, err) = docker('stop', 'nosuch')

        then:
        rc != 0
        err.contains('no such container: nosuch')

        when:
        docker('run', '-d', '--name', 'dup', 'busybox', 'sleep', '300')
        def (rc2, out2, err2) = docker('run', '-d', '--name', 'dup', 'busybox', 'true')
        def (rc3, out3, err3) = docker('rm', 'dup')
        def (rc4, out4, err4) = docker('run', '--rm', '--mount', 'type=tmpfs,destination=/x', 'busybox', 'true')

        then:
        rc2 != 0
        err2.contains("the container name 'dup' is already in use")
        rc3 != 0
        err3.contains('it is running')
        rc4 != 0
        err4.contains('HostConfig.Mounts is not supported')
        engine.ps(true)*.name() == ['dup']
    }
}

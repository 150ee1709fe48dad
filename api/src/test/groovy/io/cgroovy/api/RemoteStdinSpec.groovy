package io.cgroovy.api

import io.cgroovy.dsl.Interpreter
import io.cgroovy.dsl.Session
import io.cgroovy.runtime.Stdio
import org.junit.jupiter.api.Assumptions
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Path

/**
 * Input to a container without a terminal (docker run -i, docker exec -i, docker attach): the same
 * words with stdin piped in, on the built-in runtime and through `engine` against `cgroovy serve` and
 * a real `podman system service` (both started here). Through an engine the input goes over the
 * hijacked attach stream, its end half-closes it (the container's stdin ends: StdinOnce), and the
 * output comes back demultiplexed into stdout and stderr. (The terminal cases are typed into tmux
 * by the shell's TerminalScreenSpec.)
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(600)
class RemoteStdinSpec extends Specification {
    static final List<String> TARGETS = ['built-in', 'cgroovy serve', 'podman']

    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared PodmanService podman
    @Shared String podmanMissing

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        podmanMissing = PodmanService.unavailable()
        if (podmanMissing == null) {
            try {
                podman = new PodmanService()
                Path archive = served.tmp.resolve('busybox.tar')
                served.engine.images().save('busybox', archive, 'docker-archive')
                eval('podman', "load '${archive}'", '')
            } catch (Exception e) {
                podmanMissing = "podman system service cannot run here: ${e.message}"
                podman?.close()
                podman = null
            }
        }
    }

    def cleanupSpec() {
        podman?.close()
    }

    def cleanup() {
        served?.removeContainers()
        podman?.clean()
    }

    String address(String target) {
        switch (target) {
            case 'built-in': return null
            case 'cgroovy serve': return served.serve.dockerHost()
            default:
                Assumptions.assumeTrue(podman != null, "podman part skipped: ${podmanMissing}".toString())
                return podman.address()
        }
    }

    /** Runs {@code code} on {@code target} with {@code input} as the containers' stdin. */
    Object eval(String target, String code, String input) {
        String a = address(target)
        Session session = Session.using(served.engine)
        session.stdio = Stdio.of(new ByteArrayInputStream(input.getBytes('UTF-8')), out, err)
        new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable {
            it.eval((a ? "engine '${a}'\n" : '') + code)
        }
    }

    def "interactive(): piped stdin reaches the container and ends, stdout and stderr come apart, its exit code on #target"() {
        when:
        def c = eval(target, '''container('busybox') { interactive(); run 'cat; echo done >&2; exit 4' }''', 'hello\nworld\n')

        then:
        c.exitCode == 4
        out.toString() == 'hello\nworld\n'
        err.toString() == 'done\n'

        and: 'it was removed when it ended'
        eval(target, 'ps(all: true)', '').isEmpty()

        where:
        target << TARGETS
    }

    def "exec with interactive: true reads the piped stdin to its end on #target"() {
        given:
        eval(target, "container('busybox') { detach(); name 'reader'; run 'sleep 300' }", '')

        when:
        int code = eval(target, '''inspect('reader').exec 'wc -l; echo e >&2; exit 2', interactive: true''', 'a\nb\nc\n')

        then:
        code == 2
        out.toString().trim() == '3'
        err.toString() == 'e\n'

        cleanup:
        eval(target, "rm 'reader', force: true", '')

        where:
        target << TARGETS
    }

    def "attach to a detached interactive container: the piped line is read, its output comes until it ends on #target"() {
        given:
        eval(target, '''container('busybox') { detach(); interactive(); name 'asker'; run 'read x; echo got-$x; echo e >&2; exit 6' }''', '')

        when:
        eval(target, "attach 'asker'", 'yes\n')

        then:
        out.toString() == 'got-yes\n'
        err.toString() == 'e\n'
        eval(target, "inspect('asker').wait()", '') == 6

        cleanup:
        eval(target, "rm 'asker', force: true", '')

        where:
        target << TARGETS
    }
}

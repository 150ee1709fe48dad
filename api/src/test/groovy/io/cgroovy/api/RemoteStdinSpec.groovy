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

import java.nio.file.Files
import java.nio.file.Path

/**
 * Input to a container without a terminal (docker run -i, docker exec -i, docker attach): the same
 * words with stdin piped in, on the built-in runtime and through `engine` against `cgroovy serve` and
 * a real `podman system service` (both started here). Through an engine the input goes over the
 * hijacked attach stream, its end half-closes it (the container's stdin ends: StdinOnce), and the
 * output comes back demultiplexed into stdout and stderr. With a terminal (tty()) a recipe runs in a
 * real pseudo-terminal (tmux) against both servers; the shell's RemoteTerminalScreenSpec types more
 * terminal cases into the shell against cgroovy serve.
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

    def "tty() in a real terminal: sh with the window's size follows a resize, Ctrl-P Ctrl-Q detach, attach comes back, the exit code after on #target"() {
        given:
        Assumptions.assumeTrue(TmuxTerminal.available(), 'tmux is not installed (scripts/install-deps)')
        String a = address(target)
        Path recipe = served.tmp.resolve("tty-${target.replace(' ', '-')}.groovy")
        Files.writeString(recipe, """\
            engine '${a}'
            c = container('busybox') { tty(); name 'tty-keeper'; run 'sh' }
            println "back-\${c.status}"
            attach 'tty-keeper'
            println "ended-\${c.exitCode}"
            """.stripIndent())
        Path script = served.tmp.resolve("tty-${target.replace(' ', '-')}.sh")
        Files.writeString(script, "exec ${Path.of(System.getProperty('java.home'), 'bin', 'java')} -cp '${System.getProperty('java.class.path')}' " +
                "${TerminalRecipe.name} '${served.tmp.resolve('recipe-root')}' '${recipe}'\n")
        TmuxTerminal term = new TmuxTerminal(served.tmp)

        when: 'sh in the container has the terminal: pid 1, the size of the window, then the new one'
        term.start("sh ${script}", ['TERM=xterm-256color'], 90, 30)
        term.await(/\/ #/)
        term.type('echo pid-$$ size-$(stty size)'); term.press('Enter')
        term.await(/pid-1 size-30 90/)
        term.resize(80, 24)
        awaitRetyped(term, 'echo resized-$(stty size)', /resized-24 80/)

        and: 'Ctrl-P Ctrl-Q sent at once (one read: podman\'s key reader, containers/common detach.Copy, knows a key only when a read brings it alone, so the client writes each apart) leaves it running; attach comes back to the same sh'
        term.press('C-p', 'C-q')
        term.await(/back-running/)
        term.type('echo again-$((6*7))'); term.press('Enter')
        term.await(/again-42/)
        term.type('exit 3'); term.press('Enter')

        then: 'its exit code, and the recipe ended'
        term.await(/ended-3\s+\[exited 0\]/)

        cleanup:
        term?.close()

        where:
        target << TARGETS.findAll { it != 'built-in' }
    }

    /** Types {@code line} and Enter until {@code expected} shows (the container's SIGWINCH may lag behind the window's change). */
    private static void awaitRetyped(TmuxTerminal term, String line, String expected) {
        for (int i = 1; ; i++) {
            term.type(line); term.press('Enter')
            try {
                term.await(expected, i < 10 ? 5 : 60)
                return
            } catch (AssertionError e) {
                if (i >= 10) throw e
            }
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

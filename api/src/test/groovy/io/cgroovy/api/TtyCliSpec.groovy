package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files

/**
 * docker exec -it and docker run -it through a real pseudo-terminal (tmux): the process inside has a
 * terminal of the container's own devpts, sees the window size and its changes, and its exit status
 * comes back to the CLI.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' || ['sh', '-c', 'command -v tmux'].execute().waitFor() != 0 })
@Timeout(240)
class TtyCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine
    TmuxTerminal term

    def setup() {
        term = new TmuxTerminal(served.tmp)
    }

    def cleanup() {
        term?.close()
        served.removeContainers()
        assert engine.cgroups().parentDirs().every { d -> !Files.isDirectory(d) || Files.list(d).withCloseable { s -> s.noneMatch { Files.isDirectory(it) } } }
    }

    def "docker exec -it gives the shell a terminal in the container, its size, resizes, and the exit status"() {
        given:
        def (rc, id, err) = served.docker('run', '-d', '--name', 'ttyexec', 'busybox', 'sleep', '600')
        assert rc == 0: err

        when:
        term.start('docker exec -it ttyexec sh', served.env(), 100, 30)
        term.await(/\/ #/)
        term.type('echo "pid=$$"; tty; stty size; [ -t 0 ] && echo stdin-is-a-tty'); term.press('Enter')
        def (all, pid, tty, rows, cols) = term.await(/pid=(\d+)\s+(\S+)\s+(\d+) (\d+)\s+stdin-is-a-tty/)

        then: 'a process of its own (not the container first process), on a pts of the container devpts'
        pid.toInteger() > 1
        tty ==~ /\/dev\/pts\/\d+/
        rows == '30'
        cols == '100'

        when: 'the window changes: the CLI resizes the exec terminal'
        term.resize(120, 40)
        sleep 1000
        term.type('stty size | sed s/^/size=/'); term.press('Enter')
        term.await(/size=40 120/)
        term.type('exit 7'); term.press('Enter')

        then:
        term.await(/\[exited 7\]/)
        engine.inspect('ttyexec').isRunning()
    }

    def "docker run -it: the container's first process on a terminal, keys typed reach it, --rm removes it"() {
        when:
        term.start('docker run -it --rm --name ttyrun busybox sh', served.env(), 90, 25)
        term.await(/\/ #/)
        term.type('echo "pid=$$"; tty; stty size'); term.press('Enter')
        def (all, pid, tty, size) = term.await(/pid=(\d+)\s+(\S+)\s+(\d+ \d+)/)

        then:
        pid == '1'
        tty ==~ /\/dev\/pts\/\d+/
        size == '25 90'

        when: 'Ctrl-C reaches the foreground process through the terminal, not the shell'
        term.type('sleep 300'); term.press('Enter')
        sleep 1500 // the shell has started sleep (if not, ^C only clears the line and the status below is not 130)
        term.press('C-c')
        term.type('echo "status=$?"'); term.press('Enter')
        term.await(/status=130/)
        term.type('exit 5'); term.press('Enter')

        then:
        term.await(/\[exited 5\]/)
        waitGone('ttyrun')
    }

    def "docker exec -t without -i: the output comes through the terminal, the exit status back"() {
        given:
        assert served.docker('run', '-d', '--name', 'ttyonly', 'busybox', 'sleep', '600')[0] == 0

        when:
        def (rc, out, err) = served.docker('exec', '-t', 'ttyonly', 'sh', '-c', 'tty; echo two; exit 4')

        then:
        rc == 4
        out.replace('\r', '') ==~ /\/dev\/pts\/\d+\ntwo\n/
    }

    def "resizing an exec without a terminal is refused by name"() {
        given:
        assert served.docker('run', '-d', '--name', 'nottyexec', 'busybox', 'sleep', '600')[0] == 0
        def (st, created) = served.http('POST', '/v1.41/containers/nottyexec/exec', '{"Cmd":["true"],"AttachStdout":true}')
        assert st == 201
        def id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(created).path('Id').asText()

        when:
        def (status, resp) = served.http('POST', "/v1.41/exec/${id}/resize?h=10&w=20")

        then:
        status == 409
        resp.contains('has no terminal')
    }

    private void waitGone(String name) {
        for (int i = 0; i < 300 && engine.ps(true).any { it.name() == name }; i++) sleep 100
        assert !engine.ps(true).any { it.name() == name }
    }
}

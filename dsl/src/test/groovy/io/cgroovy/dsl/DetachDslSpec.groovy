package io.cgroovy.dsl

import spock.lang.IgnoreIf
import spock.lang.Timeout

/** detach(), restart, tty() and the verbs on detached containers, written as a user writes them. */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class DetachDslSpec extends TestEngineSpecification {
    String engineName() { 'dsl' }

    def "a detached container: ps, inspect, logs, pause, stop, wait, rm"() {
        when:
        Container c = eval('''
            container('busybox') { detach(); name 'web'; run 'echo hello; echo oops >&2; sleep 300' }''')

        then:
        c.detached
        c.status == 'running'
        c.pid > 0

        when:
        long end = System.currentTimeMillis() + 30_000
        while (!err.toString().contains('oops') && System.currentTimeMillis() < end) {
            out.reset(); err.reset()
            eval("inspect('web').logs()")
            Thread.sleep(50)
        }

        then:
        out.toString() == 'hello\n'
        err.toString() == 'oops\n'

        when:
        def table = eval('ps()').toString().readLines()

        then:
        table[0].startsWith('CONTAINER ID   IMAGE     COMMAND')
        table[0].endsWith('NAMES')
        table.size() == 2
        table[1].startsWith(c.shortId)
        table[1].contains('"/bin/sh -c echo hel…"')
        table[1].contains('Up ')
        table[1].endsWith('web')

        when:
        eval("c = inspect('${c.id.substring(0, 5)}'); c.pause()")

        then:
        c.status == 'paused'
        eval('ps()').toString().contains('(Paused)')

        when:
        eval("c = inspect('web'); c.unpause(); stop 'web', time: 1")

        then: 'sh as PID 1 has no TERM handler: killed after the timeout'
        c.status == 'exited'
        c.exitCode == 137
        eval("inspect('web').wait()") == 137
        eval('ps()').toString().readLines().size() == 1
        eval('ps(all: true)').toString().contains('Exited (137) ')

        when:
        eval("rm 'web'")

        then:
        eval('ps(all: true)').isEmpty()
    }

    def "restart 'on-failure:2' restarts exactly twice"() {
        when:
        def (code, Container c) = eval('''
            c = container('busybox') { detach(); restart 'on-failure:2'; run 'echo try; exit 4' }
            [c.wait(), c]''')

        then:
        code == 4
        c.restartCount == 2
        c.exitCode == 4
    }

    def "tty() without detach attaches at once, like docker run -t, and removes the container when it ends"() {
        when:
        Container c = eval('''container('busybox') { tty(); run 'test -t 0 && test -t 1 && echo isatty; exit 5' }''')

        then:
        out.toString() == 'isatty\r\n'
        c.exitCode == 5
        !c.detached
        engine.ps(true).isEmpty()

        when: 'it cannot start'
        eval('''container('busybox') { tty(); run 'nosuchcmd', '-x' }''')

        then:
        def e = thrown(DslException)
        e.message == "container('busybox'): exec 'nosuchcmd': No such file or directory"
        engine.ps(true).isEmpty()
    }

    def "mistakes get one-line messages"() {
        when:
        eval(code)

        then: 'DslException for words, ContainerException from the engine'
        RuntimeException e = thrown()
        e.message == message

        where:
        code                                                                  | message
        "container('busybox') { restart 'always'; run 'true' }"              | "restart 'always': only a detached container is restarted (add detach())"
        "container('busybox') { detach(); restart 'sometimes'; run 'true' }" | "restart 'sometimes': not a policy (no, on-failure[:N], always, unless-stopped)"
        "container('busybox') { detach 'yes'; run 'true' }"                  | "detach 'yes': use detach() or detach false"
        "inspect('nosuch')"                                                   | 'no such container: nosuch'
    }

    def "the verbs of a foreground container say it is gone"() {
        when:
        eval("c = container('busybox') { name 'fg'; run 'true' }; c.stop()")

        then:
        def e = thrown(DslException)
        e.message == 'container fg ran in the foreground and was removed when it ended (use detach() to keep a container)'
    }
}

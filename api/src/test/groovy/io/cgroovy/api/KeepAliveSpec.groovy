package io.cgroovy.api

import io.cgroovy.dsl.Interpreter
import io.cgroovy.dsl.Session
import io.cgroovy.image.CuttingProxy
import io.cgroovy.image.LocalRegistry
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

/**
 * The engine word's connections are kept alive, as the docker CLI's are: calls one after another
 * share one connection, a hijacked stream is never reused, a kept connection the server dropped is
 * replaced without an error or a repeated request, and closing the session closes what it kept.
 * cgroovy serve on loopback TCP behind a proxy (started here) that counts and drops connections.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(300)
class KeepAliveSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Serve tcp
    @Shared CuttingProxy proxy

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()
    Interpreter shell
    int acceptedBefore

    def setupSpec() {
        int port = LocalRegistry.freePort()
        tcp = Serve.start(served.engine, ['--tcp', "127.0.0.1:${port}".toString()] as String[], System.err)
        proxy = new CuttingProxy(port, 0)
    }

    def cleanupSpec() {
        proxy?.close()
        tcp?.close()
    }

    def setup() {
        Session session = Session.using(served.engine)
        session.detachStdin(out, err)
        shell = new Interpreter(session, new PrintStream(new ByteArrayOutputStream()))
        acceptedBefore = proxy.accepted.get()
        shell.eval("engine 'tcp://${proxy.host}'")
    }

    def cleanup() {
        shell?.close()
        served.removeContainers()
    }

    /** Waits until the proxy sees {@code n} client connections open (a close reaches it a moment later). */
    boolean openBecomes(int n) {
        for (int i = 0; i < 100 && proxy.open() != n; i++) Thread.sleep(50)
        proxy.open() == n
    }

    def "calls one after another share one connection; closing the session closes it"() {
        when:
        10.times { shell.eval('ps(all: true)') }

        then: 'the engine word and ten calls: one connection'
        proxy.accepted.get() - acceptedBefore == 1
        openBecomes(1)

        when:
        shell.close()
        shell = null

        then:
        openBecomes(0)
    }

    def "a foreground run's hijacked stream ends with the run; the calls around it keep one connection"() {
        when:
        def c = shell.eval("container('busybox') { run 'echo through the attach; exit 5' }")

        then:
        c.exitCode == 5
        out.toString() == 'through the attach\n'

        and: 'the attach connection is closed, one plain connection is kept'
        openBecomes(1)

        when: 'the kept one serves the next call'
        int accepted = proxy.accepted.get()
        shell.eval('ps(all: true)')

        then:
        proxy.accepted.get() == accepted
    }

    def "a kept connection the server dropped is replaced: no error, and a create is not sent twice"() {
        given:
        shell.eval('ps(all: true)')
        int accepted = proxy.accepted.get()

        when: 'the connection drops while idle, then a container is created on the next call'
        proxy.dropAll()
        assert openBecomes(0)
        shell.eval("container('busybox') { detach(); name 'kept-alive'; run 'sleep 30' }")
        List names = shell.eval('ps(all: true)').collect { it.name } as List

        then:
        names.count { it == 'kept-alive' } == 1
        served.engine.ps(true).count { it.name() == 'kept-alive' } == 1
        proxy.accepted.get() == accepted + 1
    }
}

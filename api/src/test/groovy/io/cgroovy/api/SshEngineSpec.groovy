package io.cgroovy.api

import io.cgroovy.dsl.client.SshDialer
import io.cgroovy.image.LocalRegistry
import org.junit.jupiter.api.Assumptions
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * What is particular to `engine 'ssh://...'` (the recipes themselves run through it in EngineWordSpec):
 * a socket path in the address, ssh's failures as one line in its own words without hanging, and
 * every ssh process reaped with its pipes and threads gone. A real sshd on 127.0.0.1 (SshServer),
 * sessions reaching a cgroovy serve started here.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(300)
class SshEngineSpec extends Specification {
    // (AutoCleanup closes in reverse order: sshd, then served)
    @Shared @AutoCleanup ServedEngine served
    @Shared @AutoCleanup SshServer sshd

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        String missing = SshServer.unavailable()
        Assumptions.assumeTrue(missing == null, "ssh engine specs skipped: ${missing}".toString())
        served = new ServedEngine()
        try {
            sshd = new SshServer(served.serve.dockerHost())
        } catch (Exception e) {
            Assumptions.abort("ssh engine specs skipped: sshd cannot run here: ${e.message}".toString())
        }
    }

    def cleanupSpec() { System.clearProperty(SshDialer.OPTIONS_PROPERTY) }

    def setup() { System.setProperty(SshDialer.OPTIONS_PROPERTY, sshd.sshOptions()) }

    def cleanup() { served?.removeContainers() }

    String address(int port = sshd.port) { "ssh://root@127.0.0.1:${port}".toString() }

    DslRunner dsl() { new DslRunner(engine: served.engine, out: out, err: err) }

    Object eval(String code) { dsl().eval(code) }

    String failure(String code) { dsl().failure(code) }

    def "a socket path in the address is the remote docker's --host"() {
        when:
        def c = eval("engine '${address()}${served.socket}'\ncontainer('busybox') { run 'echo via the path' }")

        then:
        c.exitCode == 0
        out.toString() == 'via the path\n'
        eval("engine '${address()}${served.socket}'") == "engine ${address()}${served.socket}: Engine ${ApiVersion.ENGINE} (API ${ApiVersion.CURRENT})".toString()

        when: 'a socket that is not there: the remote docker says so'
        String msg = failure("engine '${address()}/nonexistent/d.sock'")
        println msg

        then:
        msg.startsWith("engine '${address()}/nonexistent/d.sock': cannot connect to ${address()}/nonexistent/d.sock: ssh exited ")
        msg.contains('/nonexistent/d.sock')
        !msg.contains('\n')
    }

    def "ssh's refusals are one line in ssh's words, and none hangs"() {
        given:
        String unknownHost = sshd.clientConfig('unknown_host_config', 'client_key', 'empty_known_hosts')
        String wrongKey = sshd.clientConfig('wrong_key_config', 'other_key', 'known_hosts')
        int nobody = LocalRegistry.freePort()
        String a = address()

        when:
        System.setProperty(SshDialer.OPTIONS_PROPERTY, sshd.sshOptions(unknownHost))
        String hostKey = failure("engine '${a}'")
        System.setProperty(SshDialer.OPTIONS_PROPERTY, sshd.sshOptions(wrongKey))
        String key = failure("engine '${a}'")
        System.setProperty(SshDialer.OPTIONS_PROPERTY, sshd.sshOptions())
        String command = failure("engine '${address(sshd.brokenPort)}'")
        String refused = failure("engine '${address(nobody)}'")
        [hostKey, key, command, refused].each { println it }

        then:
        hostKey == "engine '${a}': cannot connect to ${a}: ssh exited 255: Host key verification failed."
        key == "engine '${a}': cannot connect to ${a}: ssh exited 255: root@127.0.0.1: Permission denied (publickey)."
        command.startsWith("engine '${address(sshd.brokenPort)}': cannot connect to ${address(sshd.brokenPort)}: ssh exited 127: ")
        command.endsWith('no-such-command-here: command not found')
        refused == "engine '${address(nobody)}': cannot connect to ${address(nobody)}: ssh exited 255: ssh: connect to host 127.0.0.1 port ${nobody}: Connection refused"
        SshServer.sshChildren().isEmpty()
    }

    def "malformed ssh addresses are refused before ssh runs"() {
        expect:
        failure("engine '${a}'") == "engine '${a}': ${why}".toString()

        where:
        a                             | why
        'ssh://'                      | "'ssh://' needs a host (ssh://[user@]host[:port][/path/to.sock])"
        'ssh://me:secret@host'        | "'ssh://me:secret@host': no password in the address (ssh uses keys or its agent)"
        'ssh://host:99999'            | "'ssh://host:99999': port '99999' is not a number from 1 to 65535"
        'ssh://-oProxyCommand=x'      | "'ssh://-oProxyCommand=x' needs a host (ssh://[user@]host[:port][/path/to.sock])"
        'ssh://host/a;rm -rf x'       | "'ssh://host/a;rm -rf x': socket path '/a;rm -rf x' may hold only letters, digits and / . _ + -"
        'ssh://host?x=1'              | "'ssh://host?x=1': an ssh address takes no query or fragment (ssh://user@host:port/path/to.sock)"
    }

    def "each connection's ssh is reaped: no ssh process, zombie, pipe or thread is left"() {
        given: 'one round first, so the JVM has loaded what it keeps open'
        String a = address()
        eval("engine '${a}'; ps(all: true)")
        int fdsBefore = openFds()

        when: 'calls, a foreground run (attach) and an exec, each its own connection'
        long t0 = System.nanoTime()
        int calls = 6   // few: in the UML guest one ssh connection costs seconds (process creation)
        eval("engine '${a}'\n" + (1..calls).collect { 'ps(all: true)' }.join('\n'))
        long sshNanos = (System.nanoTime() - t0).intdiv(calls + 1)
        t0 = System.nanoTime()
        eval("engine '${served.serve.dockerHost()}'\n" + (1..calls).collect { 'ps(all: true)' }.join('\n'))
        long unixNanos = (System.nanoTime() - t0).intdiv(calls + 1)
        println "one API call through ssh: ${sshNanos.intdiv(1_000_000)} ms; over the unix socket: ${unixNanos.intdiv(1_000_000)} ms"
        def c = eval("""engine '${a}'
                       container('busybox') { detach(); name 'reaped'; run 'sleep 300' }
                       container('busybox') { run 'echo attached' }""")
        int code = eval("engine '${a}'; inspect('reaped').exec 'echo exec'")

        then:
        c.exitCode == 0
        code == 0
        out.toString() == 'attached\nexec\n'

        and: 'the processes are gone at once (close waits for them); threads and fds within a moment'
        SshServer.sshChildren().isEmpty()
        zombies().isEmpty()
        settles { sshThreads().isEmpty() }
        settles { openFds() <= fdsBefore + 4 }
    }

    static int openFds() { Files.list(Path.of('/proc/self/fd')).withCloseable { it.count() as int } }

    static List<Thread> sshThreads() { Thread.allStackTraces.keySet().findAll { it.name.startsWith('ssh-std') }.toList() }

    /** Children of this JVM that exited and were not waited for. */
    static List<Long> zombies() {
        ProcessHandle.current().children().toList().findAll { h ->
            try {
                String stat = Files.readString(Path.of("/proc/${h.pid()}/stat"))
                stat.substring(stat.lastIndexOf(')') + 2).startsWith('Z')
            } catch (IOException ignored) {
                false
            }
        }*.pid()
    }

    static boolean settles(Closure<Boolean> check) {
        long end = System.currentTimeMillis() + 10_000
        while (!check() && System.currentTimeMillis() < end) Thread.sleep(100)
        check()
    }
}

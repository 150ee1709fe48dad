package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.nio.channels.SocketChannel
import java.nio.file.Files
import java.nio.file.Path

/**
 * The server leaks nothing: after malformed requests, unknown endpoints and clients that vanish in
 * the middle of every kind of stream (logs --follow, attach, exec, stats, events, a request body),
 * this JVM has no more open fds and threads than before, no connection is open and no container is left.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(300)
class LeakSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine

    static int fds() { Files.list(Path.of('/proc/self/fd')).withCloseable { it.count() } as int }

    static int threads() { Thread.allStackTraces.keySet().count { it.alive } }

    SocketChannel connect() { SocketChannel.open(java.net.UnixDomainSocketAddress.of(served.socket)) }

    /** Sends a request, reads until {@code until} shows (or the server closes), then hangs up. */
    void hangUpAfter(String request, String until) {
        def ch = connect()
        try {
            ch.write(ByteBuffer.wrap(request.getBytes('ISO-8859-1')))
            def got = new StringBuilder()
            def buf = ByteBuffer.allocate(8192)
            while (!got.contains(until)) {
                buf.clear()
                if (ch.read(buf) < 0) break
                got.append(new String(buf.array(), 0, buf.position(), 'ISO-8859-1'))
            }
            assert got.contains(until): "expected '${until}' in: ${got}"
        } finally {
            ch.close()
        }
    }

    /** One round of everything that could leak. */
    void abuse(int round) {
        String name = "leak${round}"
        assert served.docker('run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo started; exec sleep 600')[0] == 0
        // malformed, unknown, half a body
        hangUpAfter('NOT HTTP AT ALL\r\n\r\n', '400')
        hangUpAfter('GET /v1.41/swarm HTTP/1.1\r\nHost: d\r\n\r\n', 'does not support')
        def half = connect()
        half.write(ByteBuffer.wrap('POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 500\r\n\r\n{"Image":'.bytes))
        half.close()
        // streams the client leaves in the middle
        hangUpAfter("GET /v1.41/containers/${name}/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: d\r\n\r\n", 'started')
        hangUpAfter("POST /v1.41/containers/${name}/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: d\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n", '101')
        hangUpAfter("GET /v1.41/containers/${name}/stats HTTP/1.1\r\nHost: d\r\n\r\n", '"read"')
        hangUpAfter("GET /v1.41/events?since=0 HTTP/1.1\r\nHost: d\r\n\r\n", '"Action"')
        def (st, exec) = served.http('POST', "/v1.41/containers/${name}/exec", '{"Cmd":["sh","-c","echo in-exec; sleep 2"],"AttachStdout":true,"AttachStdin":true}')
        assert st == 201
        String execId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(exec).path('Id').asText()
        hangUpAfter("POST /v1.41/exec/${execId}/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 2\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n{}", 'in-exec')
        def (stT, execT) = served.http('POST', "/v1.41/containers/${name}/exec", '{"Cmd":["sh","-c","tty; sleep 2"],"AttachStdout":true,"AttachStdin":true,"Tty":true}')
        String ttyId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(execT).path('Id').asText()
        hangUpAfter("POST /v1.41/exec/${ttyId}/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 12\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n{\"Tty\":true}", '/dev/pts/')
        assert served.docker('rm', '-f', name)[0] == 0
    }

    def "malformed requests, unknown endpoints and vanishing clients leave no fd, thread, connection or container"() {
        given: 'one round first, so class loading and pools the JVM keeps anyway are in the baseline'
        abuse(0)
        assert settle { served.serve.http().openConnections() == 0 }
        int fdsBefore = fds(), threadsBefore = threads()

        when:
        (1..3).each { abuse(it) }
        def fine = settle { fds() <= fdsBefore && threads() <= threadsBefore && served.serve.http().openConnections() == 0 }

        then:
        fine || { assert fds() <= fdsBefore: "fds ${fdsBefore} -> ${fds()}"; assert threads() <= threadsBefore: "threads ${threadsBefore} -> ${threads()}: ${Thread.allStackTraces.keySet()*.name.countBy { it }}"; false }()
        served.serve.http().openConnections() == 0
        engine.ps(true).isEmpty()
        served.docker('version', '--format', '{{.Server.APIVersion}}')[1].trim() == '1.41'
    }

    /** Waits (up to a minute: streams notice a gone client at their next write or their watcher) until {@code ok}. */
    static boolean settle(Closure<Boolean> ok) {
        long end = System.currentTimeMillis() + 60_000
        while (System.currentTimeMillis() < end) {
            if (ok()) {
                sleep 2500 // exec'd sleeps end, stats and events write once more: then look again
                if (ok()) return true
            }
            sleep 200
        }
        false
    }
}

package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.net.StandardProtocolFamily
import java.net.UnixDomainSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.SocketChannel
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/** Raw HTTP on the socket: errors in the API's shape, keep-alive, and a server that survives bad clients. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(120)
class ProtocolSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Path tmp = served.tmp
    @Shared Engine engine = served.engine
    @Shared Serve serve = served.serve
    @Shared Path socket = served.socket

    SocketChannel connect() {
        SocketChannel.open(UnixDomainSocketAddress.of(socket))
    }

    /** Sends raw bytes, reads until the server closes or {@code until} appears. */
    String exchange(SocketChannel ch, String raw, String until = null) {
        ch.write(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)))
        def got = new ByteArrayOutputStream()
        def buf = ByteBuffer.allocate(4096)
        while (true) {
            buf.clear()
            int n = ch.read(buf)
            if (n < 0) break
            got.write(buf.array(), 0, n)
            if (until != null && got.toString('ISO-8859-1').contains(until)) break
        }
        got.toString('ISO-8859-1')
    }

    def "an unknown endpoint gets a 404 in the API's error shape naming it"() {
        when:
        def ch = connect()
        def res = exchange(ch, "GET /v1.41/build/prune HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

        then:
        res.startsWith('HTTP/1.1 404 ')
        res.contains('Api-Version: 1.41')
        res.endsWith('{"message":"cgroovy serve does not support GET /build/prune"}')

        cleanup:
        ch?.close()
    }

    def "the wrong method on a known path is a 404 naming method and path"() {
        when:
        def ch = connect()
        def res = exchange(ch, "DELETE /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

        then:
        res.startsWith('HTTP/1.1 404 ')
        res.contains('"message":"cgroovy serve does not support DELETE /_ping"')

        cleanup:
        ch?.close()
    }

    def "requests on one connection are answered in turn (keep-alive), HEAD has no body"() {
        when:
        def ch = connect()
        def first = exchange(ch, "HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n", "\r\n\r\n")
        def second = exchange(ch, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

        then:
        first.startsWith('HTTP/1.1 200 OK')
        first.endsWith("\r\n\r\n")
        second.startsWith('HTTP/1.1 200 OK')
        second.endsWith("\r\n\r\nOK")

        cleanup:
        ch?.close()
    }

    def "a chunked request body is read, and an unread body does not become the next request"() {
        when: 'a tag request with a chunked body the handler never reads, then a ping'
        def ch = connect()
        def res = exchange(ch, "POST /images/nosuch/tag?repo=a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "5\r\nhello\r\n0\r\n\r\n" +
                "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

        then:
        res.startsWith('HTTP/1.1 404 ')
        res.contains('no such image: nosuch')
        res.endsWith("\r\n\r\nOK")

        cleanup:
        ch?.close()
    }

    def "a malformed request gets a 400 and the server goes on serving"() {
        when:
        def ch = connect()
        def res = exchange(ch, "THIS IS NOT HTTP\r\n\r\n")

        then:
        res.startsWith('HTTP/1.1 400 ')
        res.contains('malformed request line')

        when:
        def ch2 = connect()
        def ok = exchange(ch2, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

        then:
        ok.endsWith('OK')

        cleanup:
        ch?.close()
        ch2?.close()
    }

    def "clients that vanish mid-request leave no connection or thread behind"() {
        given:
        int threadsBefore = Thread.allStackTraces.keySet().count { it.name == 'api-conn' }

        when: '20 clients send half a request and hang up'
        20.times {
            def ch = connect()
            ch.write(ByteBuffer.wrap("POST /images/load HTTP/1.1\r\nContent-Length: 1000\r\n\r\nabc".bytes))
            ch.close()
        }
        def deadline = System.currentTimeMillis() + 20_000
        while (serve.http().openConnections() > 0 && System.currentTimeMillis() < deadline) sleep(50)

        then:
        serve.http().openConnections() == 0
        Thread.allStackTraces.keySet().count { it.name == 'api-conn' } <= threadsBefore
        // no load temp file left (the dir is made by the first load that gets as far as its body: maybe none did)
        !Files.exists(engine.root().resolve('tmp')) || Files.list(engine.root().resolve('tmp')).withCloseable { it.count() } == 0

        and: 'the server still answers'
        exchange(connect(), "GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n").endsWith('OK')
    }
}

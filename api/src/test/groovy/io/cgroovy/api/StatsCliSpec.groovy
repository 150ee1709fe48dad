package io.cgroovy.api

import com.fasterxml.jackson.databind.ObjectMapper
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.nio.channels.SocketChannel

/** docker stats and docker top against `cgroovy serve`: the cgroup's usage in Docker's JSON shape, one-shot and streamed; its processes. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(180)
class StatsCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine

    def cleanup() {
        served.removeContainers()
    }

    def "docker stats --no-stream shows CPU use, memory against the limit and the process count"() {
        given: 'a container that spins'
        assert served.docker('run', '-d', '--name', 'spin', '-m', '64m', 'busybox', 'sh', '-c', 'while :; do :; done')[0] == 0

        when:
        def (rc, out, err) = served.docker('stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', 'spin')
        def (name, cpu, mem, pids) = out.trim().split('\\|') as List

        then:
        rc == 0
        name == 'spin'
        cpu ==~ /[0-9.]+%/
        cpu.replace('%', '').toDouble() > 1.0
        mem ==~ /[0-9.]+[KMG]?i?B \/ 64MiB/
        pids == '1'
    }

    def "the stream sends one object a second until the client goes; the server keeps serving"() {
        given:
        assert served.docker('run', '-d', '--name', 'idle', 'busybox', 'sleep', '600')[0] == 0

        when: 'two objects of the stream, then the client vanishes'
        def ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(served.socket))
        ch.write(ByteBuffer.wrap('GET /v1.41/containers/idle/stats HTTP/1.1\r\nHost: d\r\n\r\n'.bytes))
        def got = new StringBuilder()
        def buf = ByteBuffer.allocate(8192)
        while (got.count('"read"') < 2) {
            buf.clear()
            assert ch.read(buf) > 0
            got.append(new String(buf.array(), 0, buf.position(), 'UTF-8'))
        }
        ch.close()
        def first = new ObjectMapper().readTree(got.substring(got.indexOf('{"read"'), got.indexOf('\n', got.indexOf('{"read"'))))

        then:
        got.toString().startsWith('HTTP/1.1 200')
        first.path('id').asText() == engine.inspect('idle').id()
        first.path('name').asText() == '/idle'
        first.path('pids_stats').path('current').asInt() == 1
        first.path('memory_stats').path('usage').asLong() > 0
        first.path('cpu_stats').path('system_cpu_usage').asLong() > 0

        when:
        def (st, body) = served.http('GET', '/v1.41/containers/idle/stats?stream=false&one-shot=true')

        then:
        st == 200
        new ObjectMapper().readTree(body).path('name').asText() == '/idle'
    }

    def "docker top: the container's processes read from /proc, the same as the host's ps shows them"() {
        given: 'a shell with two children'
        assert served.docker('run', '-d', '--name', 'tops', 'busybox', 'sh', '-c', 'sleep 600 & sleep 601 & wait')[0] == 0
        long shPid = engine.inspect('tops').pid()
        def json = new ObjectMapper()
        // the shell may not have started both children yet, or a child not yet exec'd its sleep (still sh's command line)
        def ours = null
        for (int i = 0; i < 300; i++) {
            ours = json.readTree(served.http('GET', '/v1.41/containers/tops/top')[1])
            if (ours.path('Processes').collect { it.get(7).asText() }.sort() == ['sh -c sleep 600 & sleep 601 & wait', 'sleep 600', 'sleep 601']) break
            sleep(100)
        }

        when: 'with ps arguments the host ps runs, as Docker does it (ps -ef needs a boot time the UML guest cannot give ps: -eo)'
        def (st, body) = served.http('GET', '/v1.41/containers/tops/top?ps_args=' + URLEncoder.encode('-eo user,pid,ppid,tty,time,args', 'UTF-8'))
        def peer = json.readTree(body)
        def (rc, out, err) = served.docker('top', 'tops')
        def (rcO, outO, errO) = served.docker('top', 'tops', '-o', 'pid,comm')
        def rows = { node -> node.path('Processes').collect { r -> r.collect { it.asText() } } }

        then: "ps -ef's columns"
        ours.path('Titles').collect { it.asText() } == ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']
        rows(ours)*.get(7) == ['sh -c sleep 600 & sleep 601 & wait', 'sleep 600', 'sleep 601']
        rows(ours)*.get(1) == [shPid.toString()] + rows(ours)[1..2]*.get(1)
        rows(ours)[1..2]*.get(2) == [shPid.toString()] * 2
        rows(ours)*.get(0) == ['root'] * 3
        and: "the host's ps says the same of user, pids, terminal, CPU time and command line"
        [st, body] == [200, body]
        peer.path('Titles').collect { it.asText() } == ['USER', 'PID', 'PPID', 'TT', 'TIME', 'COMMAND']
        rows(peer) == rows(ours).collect { r -> [r[0], r[1], r[2], r[5], r[6], r[7]] }
        and: 'docker top prints the table; other ps arguments work as with Docker'
        [rc, err] == [0, '']
        out.readLines()[0] ==~ /UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\s*/
        out.contains('sleep 601')
        [rcO, errO] == [0, '']
        outO.readLines()*.trim()*.split(/\s+/)*.toList() == [['PID', 'COMMAND'], [shPid.toString(), 'sh']] + rows(ours)[1..2].collect { [it[1], 'sleep'] }

        when: 'a stopped container'
        served.docker('stop', '-t', '0', 'tops')
        def (stStopped, bodyStopped) = served.http('GET', '/v1.41/containers/tops/top')

        then:
        stStopped == 409
        bodyStopped.contains('is not running')
    }
}

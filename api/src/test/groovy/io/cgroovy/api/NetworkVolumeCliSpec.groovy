package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** docker volume and docker network commands with the real CLI against `cgroovy serve`. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(240)
class NetworkVolumeCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine
    /** A /24 of 10.x.y.0 per run, so parallel runs and other specs' networks do not clash. */
    @Shared String subnetA, subnetB

    def setupSpec() {
        def r = new Random()
        int x = 100 + r.nextInt(100), y = r.nextInt(250)
        subnetA = "10.${x}.${y}.0/24"
        subnetB = "10.${x}.${y + 1}.0/24"
    }

    def cleanup() {
        served.removeContainers()
        engine.networks().list().each { if (it.name != 'bridge') engine.networks().remove(it.name) }
        engine.volumes().list().each { engine.volumes().remove(it) }
    }

    List docker(String... args) { served.docker(args) }

    def "docker volume create, ls, inspect, rm"() {
        when:
        def (rc, out, err) = docker('volume', 'create', 'data1')

        then:
        rc == 0
        out.trim() == 'data1'
        Files.isDirectory(engine.volumes().path('data1'))

        when:
        def (rcAnon, anon, errAnon) = docker('volume', 'create')
        def (rcLs, ls, errLs) = docker('volume', 'ls')
        def (rcQ, names, errQ) = docker('volume', 'ls', '-q', '--filter', 'name=data')
        def (rcI, mountpoint, errI) = docker('volume', 'inspect', '-f', '{{.Mountpoint}} {{.Driver}}', 'data1')

        then:
        rcAnon == 0
        anon.trim() ==~ /[0-9a-f]{64}/
        rcLs == 0
        ls.readLines()[0] ==~ /DRIVER\s+VOLUME NAME/
        ls.readLines().any { it ==~ /local\s+data1/ }
        ls.readLines().any { it.contains(anon.trim()) }
        names.trim() == 'data1'
        mountpoint.trim() == "${engine.volumes().path('data1')} local"

        when:
        def (rcRm, rmOut, rmErr) = docker('volume', 'rm', 'data1')
        def (rcRm2, rmOut2, rmErr2) = docker('volume', 'rm', 'data1')
        def (rcBad, badOut, badErr) = docker('volume', 'create', '-d', 'nfs', 'x1')

        then:
        rcRm == 0
        rmOut.trim() == 'data1'
        !engine.volumes().exists('data1')
        rcRm2 != 0
        rmErr2.contains('no such volume: data1')
        rcBad != 0
        badErr.contains("driver 'nfs' is not supported")
        !engine.volumes().exists('x1')
    }

    def "docker network create, ls, inspect, rm; the predefined networks stay"() {
        when:
        def (rc, id, err) = docker('network', 'create', '--subnet', subnetA, 'neta')

        then:
        rc == 0
        id.trim() ==~ /[0-9a-f]{64}/
        engine.networks().get('neta').subnet == subnetA

        when:
        def (rcLs, ls, errLs) = docker('network', 'ls')
        def (rcI, info, errI) = docker('network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', 'neta')
        def (rcById, byId, errById) = docker('network', 'inspect', '-f', '{{.Name}}', id.trim().substring(0, 12))
        def (rcDup, dupOut, dupErr) = docker('network', 'create', 'neta')

        then:
        rcLs == 0
        ls.readLines()[0] ==~ /NETWORK ID\s+NAME\s+DRIVER\s+SCOPE/
        ['bridge', 'host', 'none', 'neta'].every { n -> ls.readLines().any { it ==~ /\S+\s+${n}\s+\S+\s+local/ } }
        ls.readLines().any { it ==~ /\S+\s+neta\s+bridge\s+local/ }
        info.trim() == "neta bridge ${subnetA}"
        byId.trim() == 'neta'
        rcDup != 0
        dupErr.contains('already exists')

        when:
        def (rcRm, rmOut, rmErr) = docker('network', 'rm', 'neta')
        def (rcRmB, rmBOut, rmBErr) = docker('network', 'rm', 'bridge')
        def (rcGone, goneOut, goneErr) = docker('network', 'inspect', 'neta')

        then:
        rcRm == 0
        engine.networks().list().every { it.name != 'neta' }
        rcRmB != 0
        rmBErr.contains('bridge is a pre-defined network and cannot be removed')
        rcGone != 0
        goneErr.contains('network neta not found')
    }

    @Requires(value = { ServedEngine.firewallWorks() }, reason = 'containers on bridge networks need nftables or iptables-legacy in the kernel')
    def "docker run --network, network connect and disconnect, a published port answers on 127.0.0.1"() {
        given:
        assert docker('network', 'create', '--subnet', subnetA, 'neta')[0] == 0
        assert docker('network', 'create', '--subnet', subnetB, 'netb')[0] == 0
        new File(served.tmp.toFile(), 'www').mkdirs()

        when:
        def (rc, cid, err) = docker('run', '-d', '--name', 'web', '--network', 'neta', '-p', '127.0.0.1::8080', 'busybox',
                'sh', '-c', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www')
        def (rcP, port, errP) = docker('port', 'web', '8080')
        def (rcN, nets, errN) = docker('network', 'inspect', '-f', '{{range .Containers}}{{.Name}}{{end}}', 'neta')

        then:
        rc == 0
        rcP == 0
        port.trim() ==~ /127\.0\.0\.1:\d+/
        fetch("http://${port.trim()}/index.html") == 'hello-from-web\n'
        nets.trim() == 'web'

        when:
        def (rcC, cOut, cErr) = docker('network', 'connect', 'netb', 'web')
        def (rcA, addrs, errA) = docker('exec', 'web', 'ip', '-4', '-o', 'addr')
        def (rcD, dOut, dErr) = docker('network', 'disconnect', 'netb', 'web')
        def (rcA2, addrs2, errA2) = docker('exec', 'web', 'ip', '-4', '-o', 'addr')

        then:
        rcC == 0
        addrs.contains(subnetA.replace('.0/24', '.')) && addrs.contains(subnetB.replace('.0/24', '.'))
        rcD == 0
        !addrs2.contains(subnetB.replace('.0/24', '.'))
    }

    private static String fetch(String url) {
        for (int i = 0; i < 100; i++) {
            try {
                return new URL(url).getText(connectTimeout: 2000, readTimeout: 5000)
            } catch (IOException e) {
                sleep 100 // httpd may not listen yet
            }
        }
        new URL(url).text
    }
}

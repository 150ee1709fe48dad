package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.net.Cidr
import io.cgroovy.runtime.net.NetworkRecord
import io.cgroovy.runtime.net.NetworkSettings
import io.cgroovy.runtime.net.PublishedPort
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap

/**
 * Bridge networks with real bridges and veths (made over rtnetlink), addresses in the CNI host-local plugin's
 * on-disk form (the real plugin shares them), the engine's firewall (nftables on the host, iptables-legacy in the
 * UML guest, whose kernel has no nftables) and busybox containers. Every network
 * gets a random subnet under 10.x that the host does not route, and its bridge a name hashed
 * from this spec's own state root, so parallel runs do not meet. Nothing leaves the machine.
 */
@IgnoreIf({ !TestImages.isRoot() })
@spock.lang.Requires(value = { TestImages.firewallWorks() }, reason = 'needs nftables or iptables-legacy in the kernel')
@Timeout(900) // per feature: generous for the UML guest on a loaded machine
class NetworkSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('net')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String cgroupParent = fixture.cgroupParent
    @Shared Random random = new Random()

    // the fixture goes after this, also when it fails
    def cleanupSpec() {
        def bridges = engine?.networks()?.list()*.bridge ?: []
        // a failed feature may have left a container on a network: take it off, so the bridges still go
        for (NetworkRecord n : engine?.networks()?.list() ?: []) {
            for (def ep : engine.networks().endpoints(n.name)) {
                engine.networks().detachAll(ep.container)
                io.cgroovy.runtime.net.Netns.remove(engine.networks().netnsFile(ep.container))
            }
        }
        for (NetworkRecord n : engine?.networks()?.list() ?: []) engine.networks().remove(n.name)
        def links = sh('ip', '-o', 'link')
        bridges.each { assert !links.contains(': ' + it + ':') }  // a bridge goes with its network
        assert engine.networks().firewallRules().isEmpty()       // the table or chains with the last network
    }

    def cleanup() {
        assertNothingLeft()
    }

    /** The bridges of this spec's networks. */
    List<String> bridges() { engine.networks().list()*.bridge }

    void assertNothingLeft() {
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        // no veth left on our bridges: a container's namespace is unpinned when it goes, and the kernel deletes its
        // veths with the namespace, in its own cleanup work (asynchronous, usually within milliseconds)
        def vethsLeft = { def links = sh('ip', '-o', 'link'); bridges().findAll { links.contains('master ' + it + ' ') } }
        for (int i = 0; i < 600 && vethsLeft(); i++) Thread.sleep(100)
        assert vethsLeft() == []
        def nsDir = engine.root().resolve('netns')
        assert !Files.isDirectory(nsDir) || Files.list(nsDir).withCloseable { it.count() } == 0
        assert !new File('/proc/self/mountinfo').text.contains(tmp.toString())
        // the rules of the networks stay while they exist (as Docker's); none names a container any more
        def fw = engine.networks().firewallRules()
        assert !fw.contains('dnat') && !fw.contains('DNAT')
        def ipam = engine.networks().ipamDir()
        if (Files.isDirectory(ipam)) {
            Files.walk(ipam).withCloseable { s ->
                assert s.filter { Files.isRegularFile(it) && it.fileName.toString() ==~ /\d+\.\d+\.\d+\.\d+/ }.count() == 0
            }
        }
        // and nothing outside the engine's own table or chains names a network (no CNI-* chains, as plugins leave)
        def rules = (sh('iptables-save') + sh('iptables-legacy-save')).readLines().findAll { !it.contains(engine.networks().firewallTable().replace('ip ', '')) }
        for (NetworkRecord n : engine.networks().list()) assert !rules.any { it.contains(n.subnet) }
        assert ProcessHandle.current().descendants().filter { it.isAlive() }.count() == 0
    }

    static String sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        p.waitFor()
        out
    }

    /** A network on a random 10.x.y.0/24 the host and the other networks do not use. */
    NetworkRecord network(Map opts = [:]) {
        for (int i = 0; ; i++) {
            def subnet = "10.${100 + random.nextInt(100)}.${random.nextInt(256)}.0/24".toString()
            // an ip range or gateway given as a closure is made from the subnet: { "${it[0..-6]}64/28" }
            String range = opts.ipRange instanceof Closure ? (opts.ipRange as Closure).call(subnet) : opts.ipRange
            String gateway = opts.gateway instanceof Closure ? (opts.gateway as Closure).call(subnet) : opts.gateway
            try {
                return engine.networks().create(new NetworkSettings(opts.name as String ?: 'net' + random.nextInt(1_000_000), subnet,
                        gateway, range, opts.mtu as Integer, opts.internal as boolean))
            } catch (ContainerException e) {
                if (i > 20 || !e.message.contains('overlaps')) throw e
            }
        }
    }

    Map run(Map opts = [:], List<String> cmd) {
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        def sec = opts.userns ? new Security([], [], false, null, false, opts.userns as Security.UserNamespace, []) : Security.DEFAULT
        def settings = new ContainerSettings('test/busybox', opts.name as String, cmd, [:], opts.hostname as String, null, null, null, sec)
                .withNetwork(opts.network as Networking)
        RunResult r = engine.run(image, settings, Stdio.of(null, out, err))
        [result: r, out: out.toString(), err: err.toString(), code: r.exitCode()]
    }

    static Networking on(List<String> networks, Map<String, List<String>> aliases = [:], List<String> ports = []) {
        Networking.of(networks, aliases, ports.collect { PublishedPort.parse(it) })
    }

    /** Starts a container in the background; returns once it is on its networks. */
    Thread background(Map opts, List<String> cmd, Map result) {
        def t = Thread.start { try { result.putAll(run(opts, cmd)) } catch (Throwable e) { result.error = e } }
        for (int i = 0; i < 3600; i++) { // up to 3 minutes: the UML guest on a loaded machine is slow
            if (result.error) throw result.error
            def nets = (opts.network as Networking).networks()
            if (nets && engine.networks().endpoints(nets[0].network()).any { it.name == opts.name }) return t
            Thread.sleep(50)
        }
        throw new IllegalStateException("container ${opts.name} did not come up")
    }

    /** Interrupts a background container (the engine stops it: SIGTERM, then SIGKILL) and waits until it is gone. */
    static void stop(Thread t) {
        t.interrupt()
        t.join(300_000) // generous: in the UML guest on a loaded machine a stop can take minutes
        assert !t.alive: 'the background container did not stop within 5 minutes'
    }

    static final List<String> HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www']

    // Debian busybox-static 1.35: wget -T segfaults, hence timeout(1)
    static List<String> fetch(String url, int tries = 100) {
        ['sh', '-c', "for i in \$(seq $tries); do timeout 3 wget -q -O- $url && exit 0; sleep 0.2; done; exit 1".toString()]
    }

    def "two containers on a user network reach each other by name and by alias"() {
        given:
        def net = network()
        def web = [:]
        def t = background([name: 'web', hostname: 'webhost', network: on([net.name], [(net.name): ['www']])], HTTPD, web)

        when:
        def byName = run([name: 'client', network: on([net.name])], fetch('http://web/'))
        def byAlias = run([name: 'client2', network: on([net.name])], fetch('http://www/') + [])
        def hosts = run([name: 'reader', network: on([net.name])], ['cat', '/etc/hosts'])
        def webIp = engine.networks().endpoints(net.name)[0].ip()
        def webHosts = Files.readString(engine.root().resolve('containers').resolve(engine.networks().endpoints(net.name)[0].container).resolve('hosts'))
        stop(t)

        then:
        byName.code == 0
        byName.out == 'webhost\n'
        byAlias.out == 'webhost\n'
        hosts.out.contains("$webIp\tweb webhost www\n")
        hosts.out.readLines()[2].startsWith(hosts.result.ip() + '\t')
        !webHosts.contains('reader')  // gone from the neighbours' /etc/hosts with the container
        web.result.ip() != null
        net.cidr().contains(io.cgroovy.runtime.net.Cidr.parseAddress(byName.result.ip(), 'ip'))
    }

    def "a container with a user namespace on a user network: its interfaces in /sys, a web server on port 80 reached by name"() {
        given: 'httpd as root of a user namespace, in a network namespace the engine made (owned by the host)'
        def net = network()
        def web = [:]
        def t = background([name: 'web', hostname: 'webhost', network: on([net.name]), userns: new Security.UserNamespace(100000, 65536)],
                ['sh', '-c', 'ls /sys/class/net > /tmp/ifs; mkdir -p /www && cat /tmp/ifs > /www/index.html && exec httpd -f -p 80 -h /www'], web)

        when:
        def fetched = run([name: 'client', network: on([net.name])], fetch('http://web/'))
        stop(t)

        then:
        fetched.code == 0
        fetched.out.split(/\s+/) as Set == ['eth0', 'lo'] as Set
    }

    def "containers on different networks cannot reach each other"() {
        given:
        def a = network()
        def b = network()
        def web = [:]
        def t = background([name: 'web', network: on([a.name])], HTTPD, web)
        def ip = engine.networks().endpoints(a.name)[0].ip()

        when:
        def same = run([name: 'friend', network: on([a.name])], fetch("http://$ip/"))
        def other = run([name: 'stranger', network: on([b.name])], fetch("http://$ip/", 3))
        def byName = run([name: 'stranger2', network: on([b.name])], ['nslookup', 'web'])
        stop(t)

        then:
        same.code == 0
        other.code != 0
        !other.out.contains('web')
        !run([name: 'stranger3', network: on([b.name])], ['cat', '/etc/hosts']).out.contains('web')
    }

    def "network none has only lo, host mode has the host's interfaces"() {
        when:
        def none = run([network: Networking.NONE], ['ls', '/sys/class/net'])
        def host = run([network: Networking.HOST], ['ls', '/sys/class/net'])

        then:
        none.out.trim() == 'lo'
        none.result.ip() == null
        host.out.split(/\s+/) as Set == new File('/sys/class/net').list() as Set
    }

    def "a published port is reached from the host at 127.0.0.1"() {
        given:
        def net = network()
        int port = freePort()
        def web = [:]
        def t = background([name: 'pub', hostname: 'published', network: on([net.name], [:], ["127.0.0.1:$port:80".toString()])], HTTPD, web)

        when:
        def body = get(port)
        def rules = engine.networks().firewallRules()
        stop(t)

        then:
        body == 'published\n'
        engine.networks().firewallBackend() == 'nftables' ? rules.contains("dport $port dnat to ${web.result.ip()}:80")
                : rules.contains("--dport $port -j DNAT --to-destination ${web.result.ip()}:80")
    }

    def "a detached container's published port is reached while it runs, and rm releases everything"() {
        given:
        def net = network()
        int port = freePort()
        def settings = new ContainerSettings('test/busybox', 'detached-web', HTTPD, [:], 'detached', null, null, null)
                .withNetwork(on([net.name], [:], ["127.0.0.1:$port:80".toString()]))

        when:
        def info = engine.runDetached(image, settings, DetachOptions.DEFAULT)
        def body = get(port)
        def ip = engine.addresses(info.id())[0]
        engine.remove(info.id(), true)

        then:
        body == 'detached\n'
        net.cidr().contains(io.cgroovy.runtime.net.Cidr.parseAddress(ip, 'ip'))
        engine.networks().endpoints(net.name).isEmpty()
    }

    /** Starts a JVM running {@code script} against this spec's root and image (args: root, cgroup parent, layer dirs, then {@code extra}). */
    Process jvm(String script, List<String> extra) {
        def prelude = """
            import io.cgroovy.runtime.*
            import io.cgroovy.runtime.net.*
            import io.cgroovy.image.*
            import java.nio.file.*
            def e = Engine.open(Path.of(args[0]), args[1])
            def cfg = new ImageConfig(); cfg.config.cmd = ['sh']
            def img = new Snapshot('sha256:' + '0' * 64, 'test/busybox', [Path.of(args[2]), Path.of(args[3])], cfg)
        """.stripIndent()
        new ProcessBuilder([Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', System.getProperty('java.class.path'),
                'groovy.ui.GroovyMain', '-e', prelude + script, engine.root().toString(), cgroupParent,
                image.layers()[0].toString(), image.layers()[1].toString()] + extra).redirectErrorStream(true).start()
    }

    def "a published port stays reachable at 127.0.0.1 after the JVM that started its container has exited"() {
        given:
        def net = network()
        int port = freePort()

        when: 'another JVM starts a detached web server with a published port and exits'
        def p = jvm('''
            def s = new ContainerSettings('test/busybox', 'outliver', ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
                    [:], 'outlived', null, null, null).withNetwork(Networking.of([args[4]], [:], [PublishedPort.parse(args[5])]))
            println e.runDetached(img, s, DetachOptions.DEFAULT).id()
        ''', [net.name, "127.0.0.1:$port:80".toString()])
        def out = p.inputStream.text
        def rc = p.waitFor()
        def id = out.readLines().find { it ==~ /[0-9a-f]{64}/ }

        then:
        rc == 0
        id != null

        when: 'this JVM fetches it, then removes the container'
        def body = get(port)
        engine.remove(id, true)

        then:
        body == 'outlived\n'
        engine.networks().endpoints(net.name).isEmpty()
    }

    def "after a JVM is killed mid-run, the next engine start releases its address, port, veth and namespace"() {
        given:
        def net = network()
        int port = freePort()
        def p = jvm('''
            def s = new ContainerSettings('test/busybox', 'crasher', ['sleep', '600'], [:], null, null, null, null)
                    .withNetwork(Networking.of([args[4]], [:], [PublishedPort.parse(args[5])]))
            e.run(img, s, Stdio.of(null, null, null))
        ''', [net.name, "127.0.0.1:$port:80".toString()])
        Thread.start { p.inputStream.text } // drain
        def up = false
        for (int i = 0; i < 3600 && !up && p.alive; i++) {
            up = !engine.networks().endpoints(net.name).isEmpty() && engine.networks().firewallRules().contains(port.toString())
            if (!up) Thread.sleep(50)
        }
        assert up: 'the container of the other JVM did not come up'
        def ep = engine.networks().endpoints(net.name)[0]

        and: 'a crash remnant written by the CNI host-local plugin itself: an address reserved for a container that never got further'
        def orphan = hostLocal('ADD', net, 'e' * 64)

        when: 'the JVM is killed (its container dies with it) and an engine is opened on the same root'
        p.destroyForcibly()
        p.waitFor()
        Engine.open(engine.root(), cgroupParent).close()

        then: 'its address, its published port, its endpoint and the orphaned address are released'
        engine.networks().endpoints(net.name).isEmpty()
        !engine.networks().firewallRules().contains(port.toString())
        !Files.exists(engine.networks().ipamDir().resolve(net.name).resolve(ep.ip()))
        !Files.exists(engine.networks().ipamDir().resolve(net.name).resolve(orphan))
        !Files.exists(engine.networks().netnsFile(ep.container))
        orphan != ep.ip()
        // the veth, the cgroup and the rest: assertNothingLeft after this feature
    }

    def "addresses are kept in host-local's form: the real CNI plugin and the engine never hand out one twice"() {
        given:
        def net = network(ipRange: { String subnet -> subnet.replaceFirst(/\.0\/24$/, '.0/29') }) // .1 gateway, .2-.6 for containers
        def first = [:]
        def t = background([name: 'holder', network: on([net.name])], ['sleep', '600'], first)
        def mine = engine.networks().endpoints(net.name)[0].ip()

        when: 'host-local takes addresses in the same data dir, then the engine takes one more'
        def theirs = (1..3).collect { hostLocal('ADD', net, "cni$it".padRight(64, '0')) }
        def second = run([name: 'second', network: on([net.name])], ['true'])
        def released = (1..3).collect { hostLocal('DEL', net, "cni$it".padRight(64, '0')) }
        stop(t)

        then:
        def all = [mine] + theirs + [second.result.ip()]
        (all as Set).size() == 5
        all.every { Cidr.parse(net.ipRange, 'ip range').contains(Cidr.parseAddress(it, 'ip')) }
        released.every { it == '' }
    }

    /** Runs the CNI host-local IPAM plugin on this network's data dir; ADD gives the address, DEL ''. */
    String hostLocal(String command, NetworkRecord net, String containerId) {
        def range = [subnet: net.subnet, gateway: net.gateway]
        if (net.ipRange) {
            def r = Cidr.parse(net.ipRange, 'ip range')
            range.rangeStart = Cidr.format(Math.max(r.network(), net.cidr().network() + 1))
            range.rangeEnd = Cidr.format(Math.min(r.broadcast(), net.cidr().broadcast() - 1))
        }
        def json = new com.fasterxml.jackson.databind.ObjectMapper()
        def conf = json.writeValueAsString([cniVersion: '1.0.0', name: net.name, type: 'bridge',
                ipam: [type: 'host-local', dataDir: engine.networks().ipamDir().toString(), ranges: [[range]]]])
        def pb = new ProcessBuilder('/usr/lib/cni/host-local')
        pb.environment().putAll([CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: '/dev/null', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni'])
        def p = pb.start()
        p.outputStream.withStream { it.write(conf.bytes) }
        def out = p.inputStream.text
        assert p.waitFor() == 0: "host-local $command: $out ${p.errorStream.text}"
        command == 'ADD' ? json.readTree(out).path('ips').path(0).path('address').asText().split('/')[0] : out.trim()
    }

    def "ports published on every host address, and on a host port the engine picks, are reached at 127.0.0.1"() {
        given:
        def net = network()
        int port = freePort()
        def web = [:]
        def t = background([name: 'anyaddr', hostname: 'everywhere', network: on([net.name], [:], ["$port:80".toString(), '80'])], HTTPD, web)

        when:
        def ports = engine.networks().endpoints(net.name)[0].publishedPorts()
        int picked = ports.find { it.hostPort() != port }.hostPort()
        def viaGiven = get(port)
        def viaPicked = get(picked)
        stop(t)

        then:
        ports.every { it.hostIp() == null && it.containerPort() == 80 }
        picked > 0
        viaGiven == 'everywhere\n'
        viaPicked == 'everywhere\n'
    }

    def "a UDP port published on 127.0.0.1 delivers datagrams into the container"() {
        given: 'a container with 53/udp published (busybox has no UDP server: its kernel counts datagrams to a closed port)'
        def net = network()
        int port = new DatagramSocket(0, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
        def c = [:]
        def t = background([name: 'udp', network: on([net.name], [:], ["127.0.0.1:$port:53/udp".toString()])], ['sleep', '600'], c)
        def netns = engine.networks().endpoints(net.name)[0].netns
        long before = udpNoPorts(netns)
        // background() sees the endpoint, whose port rules go in just after it (Networks.attach): a datagram sent
        // before them makes a conntrack entry without NAT, which the later ones of its socket follow too
        String rules = engine.networks().firewallRules()
        for (int i = 0; i < 600 && !udpDnat(rules, port); i++) {
            Thread.sleep(50)
            rules = engine.networks().firewallRules()
        }

        when:
        new DatagramSocket().withCloseable { s -> 5.times { s.send(new DatagramPacket('x'.bytes, 1, InetAddress.getByName('127.0.0.1'), port)) } }
        long after = before
        for (int i = 0; i < 100 && after < before + 5; i++) {
            Thread.sleep(50)
            after = udpNoPorts(netns)
        }
        stop(t)

        then: "the port's DNAT rule, and the container's kernel got all five (the Udp NoPorts counter of its namespace)"
        udpDnat(rules, port)
        after - before == 5
    }

    static boolean udpDnat(String rules, int port) {
        rules.contains("udp dport $port dnat to") || rules.contains("-p udp -m udp --dport $port -j DNAT")
    }

    /** The Udp NoPorts counter of /proc/net/snmp in a network namespace. */
    static long udpNoPorts(String netns) {
        def udp = sh('nsenter', "--net=$netns", 'cat', '/proc/net/snmp').readLines().findAll { it.startsWith('Udp:') }
        def names = udp[0].split(/\s+/)
        udp[1].split(/\s+/)[names.findIndexOf { it == 'NoPorts' }] as long
    }

    def "a gateway given: the bridge has it, containers route through it, and none gets it"() {
        given: 'a /24 whose gateway is .254 and whose containers get .248-.254'
        def net = network(gateway: { String subnet -> subnet.replaceFirst(/\.0\/24$/, '.254') },
                ipRange: { String subnet -> subnet.replaceFirst(/\.0\/24$/, '.248/29') })

        when:
        def r = run([name: 'routed', network: on([net.name])], ['ip', 'route'])
        def bridgeAddr = sh('ip', '-o', '-4', 'addr', 'show', 'dev', net.bridge)

        then:
        net.gateway.endsWith('.254')
        r.out.contains("default via ${net.gateway} dev eth0")
        r.result.ip() != net.gateway
        Cidr.parse(net.ipRange, 'ip range').contains(Cidr.parseAddress(r.result.ip(), 'ip'))
        bridgeAddr.contains("inet ${net.gateway}/24")
    }

    def "a host port already taken gives a one-line error and nothing half-made"() {
        given:
        def net = network()
        def taken = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1'))

        when:
        run([name: 'clash', network: on([net.name], [:], ["127.0.0.1:${taken.localPort}:80".toString()])], ['true'])

        then:
        def e = thrown(ContainerException)
        e.message == "port 127.0.0.1:${taken.localPort}/tcp is already in use on the host"
        engine.networks().endpoints(net.name).isEmpty()

        cleanup:
        taken.close()
    }

    def "20 containers started at once get 20 distinct addresses"() {
        given:
        def net = network()
        def ips = new ConcurrentHashMap<Integer, String>()
        def errors = Collections.synchronizedList([])

        when:
        def threads = (1..20).collect { i ->
            Thread.start {
                try {
                    ips[i] = run([name: "many$i".toString(), network: on([net.name])], ['sleep', '1']).result.ip()
                } catch (Throwable e) {
                    errors << e
                }
            }
        }
        threads*.join(240_000)

        then:
        errors.isEmpty()
        ips.size() == 20
        (ips.values() as Set).size() == 20
        ips.values().every { net.cidr().contains(io.cgroovy.runtime.net.Cidr.parseAddress(it, 'ip')) }
    }

    def "a running container is connected to and disconnected from a second network"() {
        given:
        def a = network()
        def b = network()
        def web = [:]
        def t = background([name: 'roamer', network: on([a.name])], HTTPD, web)

        when:
        def ip = engine.connect('roamer', b.name, ['wanderer'])
        def reached = run([name: 'onb', network: on([b.name])], fetch('http://wanderer/'))
        def links = run([name: 'onb2', network: on([b.name])], ['cat', '/etc/hosts'])
        engine.disconnect('roamer', b.name)
        def after = run([name: 'onb3', network: on([b.name])], fetch("http://$ip/", 3))
        stop(t)

        then:
        b.cidr().contains(io.cgroovy.runtime.net.Cidr.parseAddress(ip, 'ip'))
        reached.code == 0
        links.out.readLines().any { it.startsWith("$ip\troamer ") && it.endsWith(' wanderer') }
        after.code != 0
    }

    def "a container on two networks has an interface on each"() {
        given:
        def a = network()
        def b = network(mtu: 1400)

        when:
        def r = run([name: 'two', network: on([a.name, b.name])], ['sh', '-c', 'cat /sys/class/net/eth1/mtu; ip -o -4 addr show'])

        then:
        r.code == 0
        r.out.readLines()[0] == '1400'
        r.result.addresses().size() == 2
        r.out.contains("eth0    inet ${r.result.addresses()[0]}/24") || r.out.contains(r.result.addresses()[0] + '/24')
        r.out.contains(r.result.addresses()[1] + '/24')
    }

    def "an internal network: its containers reach each other by name, but get no default route and no masquerade"() {
        given:
        def net = network(internal: true)
        def web = [:]
        def t = background([name: 'inside', hostname: 'inner', network: on([net.name])], HTTPD, web)

        when:
        def byName = run([name: 'neighbour', network: on([net.name])], fetch('http://inside/'))
        def routes = run([name: 'router', network: on([net.name])], ['ip', 'route'])
        def rules = engine.networks().firewallRules()
        stop(t)

        then:
        byName.out == 'inner\n'
        !routes.out.contains('default')
        routes.out.contains(net.subnet)
        rules.contains(net.bridge)     // the drops out of and into it
        !rules.contains(net.subnet)    // the masquerade of a non-internal network names its subnet
    }

    def "an ip range: containers get their addresses from the range only, the gateway stays the subnet's first"() {
        given:
        def net = network(ipRange: { String subnet -> subnet.replaceFirst(/\.0\/24$/, '.64/28') })
        def range = io.cgroovy.runtime.net.Cidr.parse(net.ipRange, 'ip range')
        def first = [:]
        def t = background([name: 'ranged1', network: on([net.name])], ['sleep', '600'], first)
        def ip1 = engine.networks().endpoints(net.name)[0].ip()

        when:
        def second = run([name: 'ranged2', network: on([net.name])], ['ip', 'route'])
        stop(t)

        then:
        net.ipRange.endsWith('.64/28')
        range.contains(io.cgroovy.runtime.net.Cidr.parseAddress(ip1, 'ip'))
        range.contains(io.cgroovy.runtime.net.Cidr.parseAddress(second.result.ip(), 'ip'))
        ip1 != second.result.ip()
        second.out.contains("default via ${net.gateway}")
        net.gateway.endsWith('.1')
    }

    def "the default bridge network: an address, a default route, and the host's upstream name servers"() {
        when:
        def r = run([network: Networking.bridge([])], ['sh', '-c', 'ip route; cat /etc/resolv.conf'])
        def net = engine.networks().get('bridge')

        then:
        r.code == 0
        net.cidr().contains(io.cgroovy.runtime.net.Cidr.parseAddress(r.result.ip(), 'ip'))
        r.out.contains("default via ${net.gateway}")
        !(r.out =~ /nameserver 127\./)
    }

    def "an invalid or overlapping subnet gets a one-line error"() {
        given:
        def net = network()
        // a route of the host's own, not the bridge of a network of this spec (they live as long as their network)
        def hostRoute = new File('/proc/net/route').readLines().drop(1)*.trim()*.split(/\s+/).find { it[7] != '00000000' && !bridges().contains(it[0]) }

        when:
        def errs = ['10.1.2.3/24', '300.0.0.0/16', '10.0.0.0/33', 'banana', net.subnet].collect { s ->
            try {
                engine.networks().create(new NetworkSettings('bad', s, null, null, null, false)); null
            } catch (ContainerException e) { e.message }
        }

        then:
        errs[0] == "invalid subnet '10.1.2.3/24': host bits set, did you mean 10.1.2.0/24?"
        errs[1] == "invalid subnet '300.0.0.0/16': '300.0.0.0' is not an IPv4 address"
        errs[2] == "invalid subnet '10.0.0.0/33': prefix length must be 0-32"
        errs[3] == "invalid subnet 'banana' (expected a.b.c.d/n, e.g. 10.89.0.0/24)"
        errs[4] == "subnet ${net.subnet} overlaps network ${net.name} (${net.subnet})".toString()
        errs.every { !it.contains('\n') }
        hostRoute == null || routeClash(hostRoute)
        !engine.networks().list()*.name.contains('bad')
    }

    boolean routeClash(String[] route) {
        int dst = Integer.reverseBytes((int) Long.parseLong(route[1], 16))
        int mask = Integer.reverseBytes((int) Long.parseLong(route[7], 16))
        def subnet = io.cgroovy.runtime.net.Cidr.format(dst & mask) + '/' + Integer.bitCount(mask)
        try {
            engine.networks().create(new NetworkSettings('bad', subnet, null, null, null, false))
            return false
        } catch (ContainerException e) {
            return e.message.startsWith("subnet $subnet overlaps the host's route") && e.message.endsWith(" on ${route[0]}")
        }
    }

    /** GET http://127.0.0.1:port/ with Java's HTTP client, retried while the server comes up. */
    static String get(int port) {
        def client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
        for (int i = 0; i < 100; i++) {
            try {
                def r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port/")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString())
                if (r.statusCode() == 200) return r.body()
            } catch (IOException ignored) {
                Thread.sleep(200)
            }
        }
        null
    }

    static int freePort() {
        new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
    }
}

package io.cgroovy.dsl

import com.fasterxml.jackson.databind.ObjectMapper
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * c.namespaces, c.cgroup, c.mounts, c.layers, c.network, c.explain(), image('x').layers/.history and imageTree(),
 * written as a user writes them, each compared with what the spec reads itself from /proc, /sys and the store's
 * manifest and config blobs.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(400)
class ExplainWordsSpec extends Specification {
    static final long MiB = 1024 * 1024
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('dsl')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String tag = 'explain-app:' + UUID.randomUUID().toString().substring(0, 6)

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        // an image of three layers: busybox's and two RUN steps
        eval("image('$tag') { from 'busybox'; run 'echo a > /a'; run 'echo b > /b' }")
    }

    // each feature removes its containers before the cgroup leak check that follows it
    def cleanup() { fixture.removeContainers() }

    private Object eval(String code) { fixture.eval(code, out, err) }

    /** The manifest the store keeps for {@code ref}, parsed by the spec itself. */
    Map manifest(String ref) {
        String digest = engine.images().inspect(ref).manifestDigest()
        new ObjectMapper().readValue(engine.root().resolve('blobs/sha256/' + digest.substring(7)).toFile(), Map)
    }

    Map config(String ref) {
        String id = engine.images().inspect(ref).id()
        new ObjectMapper().readValue(engine.root().resolve('blobs/sha256/' + id.substring(7)).toFile(), Map)
    }

    static long nsInode(String path) { Files.readSymbolicLink(Path.of(path)).toString().replaceAll(/.*\[(\d+)\]/, '$1').toLong() }

    /** Waits until the running container's shell has done its work (a file it writes last). */
    Container started(String code, String marker) {
        Container c = eval(code)
        long end = System.currentTimeMillis() + 120_000
        while (!Files.exists(Path.of("/proc/${c.pid}/root${marker}")) && System.currentTimeMillis() < end) Thread.sleep(50)
        assert Files.exists(Path.of("/proc/${c.pid}/root${marker}")): 'the container did not get going'
        c
    }

    def "image('x').layers and .history: the manifest's layers in order with their digests and sizes, the config's steps"() {
        given:
        def m = manifest(tag)
        def cfg = config(tag)

        when:
        ViewList layers = eval("image('$tag').layers")
        ViewList history = eval("image('$tag').history")

        then: 'the layers are the manifest list, in order'
        layers.size() == 3
        layers*.digest == m.layers*.digest
        layers*.size == m.layers*.size
        layers*.diffId == cfg.rootfs.diff_ids
        layers[1].createdBy.contains('echo a > /a')
        layers[2].createdBy.contains('echo b > /b')

        and: 'history: every step of the config, newest first when printed'
        history*.createdBy == cfg.history*.created_by
        history.text.readLines()[2].contains('echo b > /b')
        (layers.text.readLines() + history.text.readLines()).every { it.length() <= 80 }
        layers.text.contains(m.layers[2].digest.substring(0, 19))
    }

    def "imageTree(): busybox's layer shared by both images, each layer's size counted once"() {
        given:
        def blobs = (manifest('busybox').layers + manifest(tag).layers).collectEntries { [it.digest, it.size as long] }

        when:
        View tree = eval('imageTree()')
        def lines = tree.text.readLines()

        then:
        tree.totalSize == blobs.values().sum()
        tree.layers.size() == 3
        tree.layers.find { it.digest == manifest('busybox').layers[0].digest }.images == 2
        lines[0].startsWith('2 images, 3 layers, ')
        lines.find { it.contains(manifest('busybox').layers[0].digest.substring(7, 19)) }.contains('busybox:latest')
        lines.find { it.contains(manifest(tag).layers[2].digest.substring(7, 19)) }.contains(tag)
        lines.every { it.length() <= 80 }

        and: 'the same data as JSON for recipes'
        def json = new com.fasterxml.jackson.databind.ObjectMapper()
        json.readValue(tree.toJson(), Map).totalSize == blobs.values().sum()
        json.readValue(tree.toJson(), Map).layers*.digest as Set == blobs.keySet()
        json.readValue(eval("image('$tag').layers.toJson()") as String, List)*.digest == manifest(tag).layers*.digest
    }

    def "c.namespaces, c.cgroup, c.mounts and c.layers of a running detached container match /proc and the manifest"() {
        given:
        Container c = started("container('$tag') { detach(); memory '64m'; pids 50; run 'head -c 200000 /dev/zero > /big; touch /ready; sleep 600' }", '/ready')
        long pid = c.pid
        def m = manifest(tag)
        def rootMount = Files.readAllLines(Path.of("/proc/$pid/mountinfo")).find { it.split(' ')[4] == '/' && it.contains(' - overlay ') }
        String upperdir = rootMount.split(' - ')[1].split(' ')[2].split(',').find { it.startsWith('upperdir=') }.substring(9)

        when:
        ViewList ns = eval("inspect('${c.name}').namespaces")
        View cg = eval("inspect('${c.name}').cgroup")
        ViewList mounts = eval("inspect('${c.name}').mounts")
        View layers = eval("inspect('${c.name}').layers")

        then: 'namespaces: the inodes of /proc/PID/ns, pid not the host one'
        def pidNs = ns.find { it.type == 'pid' }
        pidNs.inode == nsInode("/proc/$pid/ns/pid")
        pidNs.inode != nsInode('/proc/self/ns/pid')
        !pidNs.sharedWithHost
        ns.find { it.type == 'user' }.sharedWithHost

        and: "cgroup: memory '64m' is a 64 MiB limit, pids 50"
        cg.memory.limit == 64 * MiB
        cg.memory.usage > 0
        cg.pids.max == 50

        and: 'mounts: the mountinfo mount points'
        mounts*.mountPoint == Files.readAllLines(Path.of("/proc/$pid/mountinfo")).collect { it.split(' ')[4] }

        and: 'layers: the overlay lower dirs are the manifest layers in order, the upper dir holds /big'
        layers.lowers*.digest == m.layers*.digest
        layers.lowers*.size == m.layers*.size
        layers.lowers[2].createdBy.contains('echo b > /b')
        layers.lowers*.dir.every { Files.isDirectory(Path.of(it)) }
        layers.upper == upperdir
        layers.upper.startsWith(engine.root().resolve('containers').resolve(c.id).toString())
        layers.upperSize >= 200_000
        Files.size(Path.of(upperdir, 'big')) == 200_000

        and: 'each prints as a few lines within 80 columns'
        [ns, cg, mounts, layers].every { v -> v.toString().readLines().every { it.length() <= 80 } }
        layers.toString().contains(m.layers[0].digest.substring(0, 19))
    }

    def "c.explain(): one tree of namespaces, cgroup, layers, network and mounts within 80 columns"() {
        given:
        Container c = started("container('$tag') { detach(); memory '64m'; run 'touch /ready; sleep 600' }", '/ready')

        when:
        View e = eval("inspect('${c.name}').explain()")
        def lines = e.text.readLines()

        then:
        lines[0] == "container ${c.name} (host pid ${c.pid})"
        lines.every { it.length() <= 80 }
        lines.any { it.contains('own: mnt uts ipc pid net cgroup') }
        lines.any { it.contains('rootfs overlay, lowest layer first') }
        lines.any { it.contains(manifest(tag).layers[1].digest.substring(0, 19)) }
        lines.any { it.contains('network') }
        lines.any { it.contains('memory') && it.contains('64.0MiB') }
        e.cgroup.memory.limit == 64 * MiB
        e.render(60).readLines().every { it.length() <= 60 }
    }

    def "trace { }: a traced run 'true' lists pivot_root and execve, its steps within the time measured around it"() {
        when:
        long start = System.nanoTime()
        View t = eval("trace { container('busybox') { run 'true' } }")
        long measured = System.nanoTime() - start
        def steps = t.runs[0].steps

        then:
        t.runs.size() == 1
        steps*.what.any { it.startsWith('clone: ') }
        steps*.what.any { it.startsWith('pivot-root: ') }
        steps.findAll { it.by == 'executor' }.last().what.startsWith('exec: ')
        steps.sum { it.nanos } <= measured
        steps.sum { it.nanos } <= t.runs[0].totalNanos
        t.text.readLines().every { it.length() <= 80 }
        t.text.readLines().any { it =~ /^\s+\d+\.\d{3}  executor  pivot-root: / }
    }

    def "a view of a container that is not running: a one-line error"() {
        when:
        Container c = eval("container('busybox') { run 'true' }")
        c.explain()

        then:
        DslException e = thrown()
        e.message.contains('ran in the foreground and was removed')
    }

    @spock.lang.Requires(value = { ['sh', '-c', 'unshare -n nft add table inet cgroovy_probe'].execute().waitFor() == 0 },
            reason = 'needs nftables in the kernel (the UML guest kernel answers EOPNOTSUPP; the host run covers networking)')
    def "c.network: eth0's address and routes, its host veth on the network's bridge, the DNAT rule of its published port"() {
        given:
        def subnet = "10.${100 + new Random().nextInt(100)}.${new Random().nextInt(256)}.0/24"
        int port = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
        Network n = eval("network('explainnet') { subnet '$subnet' }")
        Container c = started("container('busybox') { detach(); network 'explainnet'; publish '127.0.0.1:$port:80'; run 'touch /ready; sleep 600' }", '/ready')

        when:
        View net = eval("inspect('${c.name}').network")
        def eth0 = net.interfaces.find { it.name == 'eth0' }
        // ground truth: the kernel's view of eth0 inside (its peer's ifindex after '@if') and /sys/class/net on the host
        def link = ['nsenter', "--net=/proc/${c.pid}/ns/net", 'ip', '-o', 'link', 'show', 'eth0'].execute().text
        int peerIndex = (link =~ /eth0@if(\d+)/)[0][1] as int
        Path veth = Path.of('/sys/class/net', eth0.hostPeer as String)

        then:
        eth0.addresses[0] == c.ip + '/24'
        Files.isDirectory(veth)
        Files.readString(veth.resolve('ifindex')).trim() as int == peerIndex
        Files.readSymbolicLink(veth.resolve('master')).fileName.toString() == n.bridge
        eth0.bridge == n.bridge
        net.routes.contains("default via ${n.gateway} dev eth0".toString())
        net.networks[0].network == 'explainnet'
        net.rules.any { it.contains("dport ${port} dnat to ${c.ip}:80") }
        net.rules.any { it.contains('masquerade') }
        net.toString().readLines().every { it.length() <= 80 }
        net.toString().contains("host side: ${eth0.hostPeer} on bridge ${n.bridge}")

        cleanup:
        if (c != null) engine.remove(c.id, true)
        engine.networks().list().each { engine.networks().remove(it.name) }
    }
}

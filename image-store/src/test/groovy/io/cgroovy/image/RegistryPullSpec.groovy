package io.cgroovy.image

import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CopyOnWriteArrayList

import static io.cgroovy.image.TestImages.message

/**
 * Pulls from a real docker-registry on 127.0.0.1 seeded by skopeo with images made from
 * busybox-static: by tag, by digest, from an index by platform, zstd and plain layers, a
 * connection cut mid-layer, a registry serving the wrong bytes.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class RegistryPullSpec extends Specification {
    @Shared Path shared
    @Shared LocalRegistry registry
    @Shared Path seeds
    Path work
    Path root
    RegistryOptions opts
    List<ProgressEvent> events = new CopyOnWriteArrayList<>()

    def setupSpec() {
        shared = Files.createTempDirectory('cgroovy-reg')
        registry = LocalRegistry.start(shared.resolve('registry'))
        seeds = shared.resolve('seeds')
        def bb = RegistryImages.busyboxLayer()
        def lay = seeds.resolve('busybox')
        RegistryImages.layout(lay, '1', RegistryImages.image(lay, [bb]))
        RegistryImages.push(lay, '1', "$registry.host/busybox:1")

        def multi = seeds.resolve('multi')
        def amd = RegistryImages.image(multi, [bb, RegistryImages.layer(RegistryImages.fileTar('platform', 'amd64'))], 'amd64')
        def arm = RegistryImages.image(multi, [RegistryImages.layer(RegistryImages.fileTar('platform', 'arm64'))], 'arm64')
        RegistryImages.layout(multi, 'm', RegistryImages.index(multi, [amd, arm]))
        RegistryImages.push(multi, 'm', "$registry.host/multi:m", true)

        def z = seeds.resolve('zstd')
        RegistryImages.layout(z, 'z', RegistryImages.image(z, [bb,
                RegistryImages.layer(RegistryImages.fileTar('etc/zstd', 'zstd layer'), 'zstd'),
                RegistryImages.layer(RegistryImages.fileTar('etc/plain', 'plain layer'), 'none')]))
        RegistryImages.push(z, 'z', "$registry.host/mixed:z")

        def big = seeds.resolve('big')
        RegistryImages.layout(big, 'b', RegistryImages.image(big, [bb, RegistryImages.layer(RegistryImages.randomTar('data/random', 4 << 20), 'none')]))
        RegistryImages.push(big, 'b', "$registry.host/big:b")
    }

    def cleanupSpec() {
        registry?.close()
        TestImages.deleteTree(shared)
    }

    def setup() {
        work = Files.createTempDirectory('cgroovy-pull')
        root = work.resolve('store')
        opts = RegistryOptions.defaults().dockerConfig(work.resolve('docker')).listener { events << it }
    }

    def cleanup() { TestImages.deleteTree(work) }

    private ImageStore store() { ImageStore.open(root) }

    private Set<String> leftovers() {
        TestImages.tree(root).findAll { it.contains(AtomicFiles.TMP_PREFIX) }
    }

    def "pull by tag stores, names and unpacks the image; a second pull fetches nothing"() {
        given:
        def s = store()
        def ref = "$registry.host/busybox:1".toString()

        when:
        def rec = s.pull(ref, opts)
        def snap = s.snapshot(ref)

        then:
        rec.tags() == [ref]
        rec.manifestDigest() == RegistryImages.skopeoDigest(ref)
        Files.isRegularFile(snap.layers()[0].resolve('bin/busybox'))
        Files.isSymbolicLink(snap.layers()[0].resolve('bin/sh'))
        snap.config().config.cmd == ['sh']
        events.any { it.state() == ProgressEvent.State.DOWNLOADING && it.item() != null }
        events.last().state() == ProgressEvent.State.COMPLETE
        events.last().totalBytes() == events.last().totalSize()
        leftovers().isEmpty()

        when: 'pulled again'
        events.clear()
        def again = s.pull(ref, opts)

        then: 'every layer is already there'
        again.id() == rec.id()
        events.findAll { it.item() != null }*.state().toSet() == [ProgressEvent.State.WAITING, ProgressEvent.State.EXISTS, ProgressEvent.State.DONE].toSet()
        s.list().size() == 1
    }

    def "pull by digest, and by name:tag@digest; the image is found by that digest afterwards"() {
        given:
        def s = store()
        def digest = RegistryImages.skopeoDigest("$registry.host/busybox:1")

        when:
        def rec = s.pull("$registry.host/busybox@$digest", opts)

        then:
        rec.manifestDigest() == digest
        rec.tags().isEmpty()
        s.inspect("$registry.host/busybox@$digest").id() == rec.id()

        when:
        def tagged = s.pull("$registry.host/busybox:1@$digest", opts)

        then:
        tagged.id() == rec.id()
    }

    def "an index with two platforms gives the host's platform by default and the asked one with platform"() {
        given:
        def s = store()
        def ref = "$registry.host/multi:m".toString()

        when:
        def host = s.pull(ref, opts)
        def hostSnap = s.snapshot(ref)

        then:
        Files.readString(hostSnap.layers().last().resolve('platform')) == Documents.hostArchitecture()
        hostSnap.config().architecture == Documents.hostArchitecture()
        s.inspect("$registry.host/multi@${RegistryImages.skopeoDigest(ref)}").id() == host.id()

        when:
        s.pull(ref, opts.platform('linux/arm64'))
        def armSnap = s.snapshot(ref)

        then:
        armSnap.config().architecture == 'arm64'
        Files.readString(armSnap.layers().last().resolve('platform')) == 'arm64'

        when:
        s.pull(ref, opts.platform('linux/s390x'))

        then:
        def e = thrown(ImageException)
        e.message == "$registry.host/multi:m: no linux/s390x image in the manifest list (it has: linux/amd64, linux/arm64)".toString()
    }

    def "zstd, gzip and uncompressed layers all unpack"() {
        given:
        def s = store()
        def ref = "$registry.host/mixed:z".toString()

        when:
        s.pull(ref, opts)
        def snap = s.snapshot(ref)

        then:
        snap.layers().size() == 3
        Files.readString(snap.layers()[1].resolve('etc/zstd')) == 'zstd layer'
        Files.readString(snap.layers()[2].resolve('etc/plain')) == 'plain layer'
    }

    def "a connection cut in the middle of a layer is resumed with a Range request"() {
        given:
        def s = store()
        def proxy = new CuttingProxy(registry.port, 1 << 20)

        when:
        def rec = s.pull("$proxy.host/big:b", opts)
        def snap = s.snapshot("$proxy.host/big:b")

        then:
        proxy.cut.get()
        proxy.sawRangeRequest()
        events.any { it.state() == ProgressEvent.State.RETRYING }
        Files.size(snap.layers()[1].resolve('data/random')) == 4 << 20
        rec.tags() == ["$proxy.host/big:b".toString()]
        leftovers().isEmpty()

        cleanup:
        proxy?.close()
    }

    def "a registry that answers the resume with the whole blob again: the layer starts over (the unpack reading it too) and ends right"() {
        given:
        def s = store()
        def proxy = new CuttingProxy(registry.port, 1 << 20)
        proxy.stripRange = true

        when:
        def rec = s.pull("$proxy.host/big:b", opts)
        def snap = s.snapshot("$proxy.host/big:b")

        then:
        proxy.cut.get()
        proxy.sawRangeRequest()   // asked for the rest; the proxy kept that from the registry, which sent it all
        events.any { it.state() == ProgressEvent.State.RETRYING }
        Files.size(snap.layers()[1].resolve('data/random')) == 4 << 20
        // the layer's diff_id was checked on the bytes unpacked: the ones read before the restart were dropped
        rec.tags() == ["$proxy.host/big:b".toString()]
        leftovers().isEmpty()

        cleanup:
        proxy?.close()
    }

    def "a registry that serves bytes not matching the digest: a one-line error naming the layer, nothing stored"() {
        given: 'a copy of the busybox image whose small layer the registry will serve wrong'
        def lay = work.resolve('lie')
        def marker = RegistryImages.layer(RegistryImages.fileTar('lie', 'true content'), 'none')
        RegistryImages.layout(lay, 'l', RegistryImages.image(lay, [RegistryImages.busyboxLayer(), marker]))
        RegistryImages.push(lay, 'l', "$registry.host/liar:l")
        def data = registry.blobData(Digest.of(marker.blob))
        byte[] bytes = Files.readAllBytes(data)
        bytes[bytes.length - 700] ^= 1
        Files.write(data, bytes)
        def s = store()

        when:
        s.pull("$registry.host/liar:l", opts)

        then:
        def e = thrown(ImageException)
        e.message.startsWith("layer ${Digest.of(marker.blob)}: digest mismatch")
        !e.message.contains('\n')
        s.list().isEmpty()
        TestImages.tree(root.resolve('blobs')) == ['sha256'] as Set
        TestImages.tree(root.resolve('layers')).isEmpty()
        leftovers().isEmpty()
    }

    def "errors name the problem on one line: unknown tag, unknown repository, nothing listening, malformed reference"() {
        given:
        def s = store()
        int dead = LocalRegistry.freePort()

        expect:
        message { s.pull("$registry.host/busybox:nope", opts) } == "pull $registry.host/busybox:nope: not found: manifest unknown".toString()
        message { s.pull("$registry.host/nothing/here:1", opts) }.startsWith("pull $registry.host/nothing/here:1: not found")
        message { s.pull("127.0.0.1:$dead/x:1", opts) } == "127.0.0.1:$dead: cannot reach the registry: connection refused".toString()
        message { s.pull('Upper/Case', opts) } == "invalid reference 'Upper/Case': bad name component 'Upper'"
        message { s.pull('http://x/y', opts) } == "invalid reference 'http://x/y': a reference has no scheme (write host/name:tag)"
        message { s.pull('a:b:c', opts) }.startsWith("invalid reference 'a:b:c'")
        message { s.pull("$registry.host/busybox:1", opts.platform('linux')) } == "invalid platform 'linux': expected os/arch or os/arch/variant, e.g. linux/arm64"
        s.list().isEmpty()
    }
}

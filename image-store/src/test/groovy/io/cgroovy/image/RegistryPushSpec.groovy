package io.cgroovy.image

import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CopyOnWriteArrayList

import static io.cgroovy.image.TestImages.message

/**
 * Push to a real docker-registry and read back with skopeo (the peer); save and load archives
 * and layouts in both directions with skopeo.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class RegistryPushSpec extends Specification {
    @Shared Path shared
    @Shared LocalRegistry registry
    Path work
    ImageStore store
    RegistryOptions opts
    List<ProgressEvent> events = new CopyOnWriteArrayList<>()

    def setupSpec() {
        shared = Files.createTempDirectory('cgroovy-push')
        registry = LocalRegistry.start(shared.resolve('registry'))
    }

    def cleanupSpec() {
        registry?.close()
        TestImages.deleteTree(shared)
    }

    def setup() {
        work = Files.createTempDirectory('cgroovy-push')
        store = ImageStore.open(work.resolve('store'))
        store.ensureDefaultBusybox(RegistryImages.BUSYBOX)
        opts = RegistryOptions.defaults().dockerConfig(work.resolve('docker')).listener { events << it }
    }

    def cleanup() { TestImages.deleteTree(work) }

    private static String skopeoIndexDigest(Path layout) {
        def ix = Json.MAPPER.readValue(layout.resolve('index.json').toFile(), Map)
        ix.manifests[0].digest
    }

    def "push uploads blobs and the manifest; skopeo inspect and skopeo copy back agree on the digest"() {
        given:
        def local = store.inspect('busybox')
        def ref = "$registry.host/cg/busybox:v1".toString()

        when:
        def digest = store.push('busybox', ref, opts)

        then:
        digest == local.manifestDigest()
        RegistryImages.skopeoDigest(ref) == digest
        events.any { it.state() == ProgressEvent.State.UPLOADING }
        events.last().state() == ProgressEvent.State.COMPLETE

        when: 'skopeo copies it back into an OCI layout'
        def back = work.resolve('back')
        TestImages.run('skopeo', '--insecure-policy', 'copy', '-q', '--src-tls-verify=false', "docker://$ref".toString(), "oci:$back:v1".toString())

        then:
        skopeoIndexDigest(back) == digest

        when: 'and cgroovy imports that layout into a fresh store'
        def other = ImageStore.open(work.resolve('other'))
        def recs = other.importOciLayout(back, 'copy')

        then:
        recs[0].id() == local.id()
        recs[0].manifestDigest() == digest

        when: 'pushing again finds every blob in place'
        events.clear()
        store.push('busybox', ref, opts)

        then:
        events.findAll { it.item() != null && it.state() == ProgressEvent.State.EXISTS }.size() == 2
        !events.any { it.state() == ProgressEvent.State.UPLOADING }
    }

    def "a chunked upload (PATCH chunks then PUT) gives the same image"() {
        given:
        def ref = "$registry.host/cg/chunked:1".toString()

        when:
        def digest = store.push('busybox', ref, opts.chunkSize(64 * 1024))

        then:
        RegistryImages.skopeoDigest(ref) == digest
        ImageStore.open(work.resolve('fresh')).pull(ref, opts).id() == store.inspect('busybox').id()
    }

    def "a second repository of the same registry gets the layers by cross-repository mount"() {
        given:
        store.push('busybox', "$registry.host/cg/first:1", opts)
        events.clear()

        when:
        def digest = store.push('busybox', "$registry.host/cg/second:1", opts)

        then:
        events.count { it.state() == ProgressEvent.State.MOUNTED } == 2
        !events.any { it.state() == ProgressEvent.State.UPLOADING }
        RegistryImages.skopeoDigest("$registry.host/cg/second:1") == digest
    }

    def "push errors: an image not in the store, a digest as the target, nothing listening"() {
        given:
        int dead = LocalRegistry.freePort()

        expect:
        message { store.push('nothere', "$registry.host/x:1", opts) } == 'no such image: nothere'
        message { store.push('busybox', "$registry.host/x@sha256:${'a' * 64}", opts) }.contains('push to a tag, not a digest')
        message { store.push('busybox', "127.0.0.1:$dead/x:1", opts) } == "127.0.0.1:$dead: cannot reach the registry: connection refused".toString()
    }

    def "save as a docker archive: skopeo reads it; skopeo's docker-archive loads back with the same id"() {
        given:
        def tar = work.resolve('bb.tar')
        def local = store.inspect('busybox')

        when:
        store.save('busybox', tar, 'docker-archive')
        def inspect = Json.MAPPER.readValue(TestImages.run('skopeo', 'inspect', '--config', "docker-archive:$tar".toString()), Map)

        def viaSkopeo = work.resolve('via-skopeo')
        // the dir transport keeps the manifest format (converting to OCI would rewrite the config)
        TestImages.run('skopeo', '--insecure-policy', 'copy', '-q', "docker-archive:$tar".toString(), "dir:$viaSkopeo".toString())

        then: 'skopeo sees the same config, so the same image id'
        inspect.rootfs.diff_ids == store.snapshot('busybox').config().rootfs.diffIds
        Json.MAPPER.readValue(viaSkopeo.resolve('manifest.json').toFile(), Map).config.digest == local.id()

        when: 'skopeo writes an archive from a registry image, cgroovy loads it'
        def ref = "$registry.host/cg/arch:1".toString()
        store.push('busybox', ref, opts)
        def theirs = work.resolve('theirs.tar')
        TestImages.run('skopeo', '--insecure-policy', 'copy', '-q', '--src-tls-verify=false', "docker://$ref".toString(), "docker-archive:$theirs:cg/arch:1".toString())
        def loaded = ImageStore.open(work.resolve('loaded')).load(theirs)

        then:
        loaded*.id() == [local.id()]
        loaded[0].tags() == ['cg/arch:1']

        and: 'our own archive loads back too'
        ImageStore.open(work.resolve('again')).load(tar)*.tags() == [['busybox:latest']]
    }

    def "save as an OCI layout (dir and tar): skopeo copies from it and keeps the digest; a failed save leaves nothing"() {
        given:
        def dir = work.resolve('layout')
        def tar = work.resolve('layout.tar')
        def local = store.inspect('busybox')
        def copied = work.resolve('copied')

        when:
        store.save('busybox', dir, 'oci')
        store.save('busybox', tar, 'oci')
        TestImages.run('skopeo', '--insecure-policy', 'copy', '-q', '--preserve-digests', "oci:$dir:latest".toString(), "oci:$copied:x".toString())

        then:
        skopeoIndexDigest(copied) == local.manifestDigest()
        Json.MAPPER.readValue(TestImages.run('skopeo', 'inspect', "oci-archive:$tar:latest".toString()), Map).Digest == local.manifestDigest()
        ImageStore.open(work.resolve('fromtar')).load(tar)*.id() == [local.id()]

        expect:
        message { store.save('busybox', dir, 'oci') } == "save: $dir already exists".toString()
        message { store.save('busybox', work.resolve('x.tar'), 'zip') } == "save: unknown format 'zip' (docker-archive or oci)"
        !Files.exists(work.resolve('x.tar'))
        TestImages.tree(work).every { !it.contains(AtomicFiles.TMP_PREFIX) }
    }
}

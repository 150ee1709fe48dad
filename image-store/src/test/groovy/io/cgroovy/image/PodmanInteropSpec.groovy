package io.cgroovy.image

import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * Podman (the peer) and cgroovy exchange images through a real docker-registry on 127.0.0.1:
 * what cgroovy pushes podman pulls with the same digest, and what podman pushes (in Docker and
 * OCI formats, gzip and zstd) cgroovy pulls with the same digest and the same files. Podman runs
 * with storage of its own in a temp dir (vfs driver), so nothing of the host's podman is touched.
 */
@spock.lang.Tag('kernel-agnostic') // registry, files and processes only: the cgroup v2 guest run leaves it out (README)
class PodmanInteropSpec extends Specification {
    @Shared Path shared
    @Shared LocalRegistry registry
    Path work
    ImageStore store
    RegistryOptions opts

    def setupSpec() {
        shared = Files.createTempDirectory('cgroovy-podman')
        registry = LocalRegistry.start(shared.resolve('registry'))
    }

    def cleanupSpec() {
        registry?.close()
        TestImages.deleteTree(shared)
    }

    def setup() {
        work = Files.createTempDirectory('cgroovy-podman')
        store = ImageStore.open(work.resolve('store'))
        store.ensureDefaultBusybox(RegistryImages.BUSYBOX)
        opts = RegistryOptions.defaults().dockerConfig(work.resolve('docker'))
    }

    // (no `podman system reset`: it would also remove the host's podman networks; vfs storage is plain files)
    def cleanup() { TestImages.deleteTree(work) }

    private List<String> podmanArgs(String... args) {
        ['podman', '--root', work.resolve('podman-root').toString(), '--runroot', work.resolve('podman-run').toString(),
         '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--tmpdir', work.resolve('podman-tmp').toString()] + args.toList()
    }

    private String podman(String... args) {
        def pb = new ProcessBuilder(podmanArgs(args)).redirectErrorStream(true)
        pb.environment().put('TMPDIR', Files.createDirectories(work.resolve('tmp')).toString())
        def p = pb.start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "podman ${args.join(' ')} failed: $out"
        out.trim()
    }

    def "an image cgroovy pushes is pulled by podman with the same digest"() {
        given:
        def ref = "$registry.host/cg/busybox:from-cgroovy".toString()
        def pushed = store.push('busybox', ref, opts)

        when:
        podman('pull', '-q', '--tls-verify=false', ref)

        then:
        podman('image', 'inspect', '--format', '{{.Digest}}', ref) == pushed
        podman('image', 'inspect', '--format', '{{.Id}}', ref) == Digest.hex(store.inspect('busybox').id())
    }

    def "an image podman makes and pushes as #format (#compression) is pulled by cgroovy with its digest and files"() {
        given: 'podman imports a rootfs tar of its own, then pushes it'
        def rootfs = work.resolve('rootfs')
        Files.createDirectories(rootfs.resolve('etc'))
        Files.writeString(rootfs.resolve('etc/made-by'), "podman $format $compression\n")
        Files.createSymbolicLink(rootfs.resolve('etc/link'), Path.of('made-by'))
        def tar = work.resolve('rootfs.tar')
        TestImages.run('tar', '-C', rootfs.toString(), '-cf', tar.toString(), '.')
        podman('import', '-q', tar.toString(), 'localhost/imported:1')
        def ref = "$registry.host/cg/imported:$format-$compression".toString()
        podman('push', '-q', '--tls-verify=false', '--format', format, '--compression-format', compression,
                'localhost/imported:1', "docker://$ref".toString())
        def remote = RegistryImages.skopeoDigest(ref)
        def manifest = Json.MAPPER.readValue(LocalRegistry.skopeo('inspect', '--tls-verify=false', '--raw', "docker://$ref".toString()), Map)
        assert manifest.layers[0].mediaType.endsWith(compression == 'zstd' ? '+zstd' : 'gzip') // podman did what was asked

        when:
        def rec = store.pull(ref, opts)
        def snap = store.snapshot(ref)

        then:
        rec.manifestDigest() == remote
        snap.layers().size() == 1
        Files.readString(snap.layers()[0].resolve('etc/made-by')) == "podman $format $compression\n"
        Files.readSymbolicLink(snap.layers()[0].resolve('etc/link')) == Path.of('made-by')

        where:
        format   | compression
        'v2s2'   | 'gzip'
        'oci'    | 'gzip'
        'oci'    | 'zstd'
    }
}

package io.cgroovy.image

import java.nio.file.Files
import java.nio.file.Path

/**
 * Images for registry specs, made from the host's busybox-static (and small layers written here)
 * as OCI layouts, and put into a registry with skopeo, the peer tool.
 */
class RegistryImages {
    static final Path BUSYBOX = Path.of('/bin/busybox')

    /** One layer's blob with its media type and diff_id. */
    static Map layer(byte[] tar, String compression = 'gzip') {
        byte[] blob
        String mt
        switch (compression) {
            case 'gzip': blob = TarMaker.gzip(tar); mt = MediaTypes.OCI_LAYER_GZIP; break
            case 'zstd': blob = zstd(tar); mt = MediaTypes.OCI_LAYER_ZSTD; break
            default: blob = tar; mt = MediaTypes.OCI_LAYER
        }
        [blob: blob, mediaType: mt, diffId: Digest.of(tar)]
    }

    static Map busyboxLayer() {
        def bb = BusyboxImage.build(BUSYBOX)
        [blob: bb.layer, mediaType: MediaTypes.OCI_LAYER_GZIP, diffId: bb.diffId]
    }

    static byte[] zstd(byte[] plain) {
        def p = new ProcessBuilder('zstd', '-q', '-c', '-3').start()
        Thread.start { p.outputStream.withCloseable { it.write(plain) } }
        byte[] out = p.inputStream.bytes
        assert p.waitFor() == 0
        out
    }

    /** Writes blobs for an image (config + layers) into a layout dir; returns its manifest descriptor. */
    static Map image(Path lay, List<Map> layers, String arch = 'amd64', Map configExtra = [:]) {
        def put = { byte[] b ->
            def d = Digest.of(b)
            Files.createDirectories(lay.resolve('blobs/sha256'))
            Files.write(lay.resolve('blobs/sha256/' + Digest.hex(d)), b)
            d
        }
        byte[] cfg = TestImages.json([architecture: arch, os: 'linux', created: '2024-05-01T10:00:00Z',
                                      config: [Cmd: ['sh'], Env: [BusyboxImage.PATH_ENV]] + configExtra,
                                      rootfs: [type: 'layers', diff_ids: layers*.diffId]]).getBytes('UTF-8')
        byte[] manifest = TestImages.json([schemaVersion: 2, mediaType: MediaTypes.OCI_MANIFEST,
                                           config: [mediaType: MediaTypes.OCI_CONFIG, digest: put(cfg), size: cfg.length],
                                           layers: layers.collect { [mediaType: it.mediaType, digest: put(it.blob), size: it.blob.length] }]).getBytes('UTF-8')
        [mediaType: MediaTypes.OCI_MANIFEST, digest: put(manifest), size: manifest.length, platform: [architecture: arch, os: 'linux']]
    }

    /** A layout whose index.json names {@code entries} (manifests or an index) by ref.name {@code tag}. */
    static Path layout(Path lay, String tag, Map entry) {
        Files.createDirectories(lay)
        Files.writeString(lay.resolve('oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
        def e = new LinkedHashMap(entry)
        e.remove('platform')
        e.annotations = ['org.opencontainers.image.ref.name': tag]
        Files.writeString(lay.resolve('index.json'), TestImages.json([schemaVersion: 2, manifests: [e]]))
        lay
    }

    /** An index (multi-platform) blob over manifests already in the layout. */
    static Map index(Path lay, List<Map> manifests) {
        byte[] ix = TestImages.json([schemaVersion: 2, mediaType: MediaTypes.OCI_LAYOUT_INDEX, manifests: manifests]).getBytes('UTF-8')
        def d = Digest.of(ix)
        Files.write(lay.resolve('blobs/sha256/' + Digest.hex(d)), ix)
        [mediaType: MediaTypes.OCI_LAYOUT_INDEX, digest: d, size: ix.length]
    }

    /** skopeo copy of a layout's tag to the registry (plain HTTP on loopback); --all keeps an index whole. */
    static void push(Path lay, String tag, String dest, boolean all = false) {
        def args = ['skopeo', '--insecure-policy', 'copy', '-q', '--preserve-digests', '--dest-tls-verify=false']
        if (all) args << '--all'
        args += ["oci:$lay:$tag".toString(), "docker://$dest".toString()]
        TestImages.run(args as String[])
    }

    /** The manifest digest skopeo sees for a registry image. */
    static String inspectDigest(String ref) {
        def out = TestImages.run('skopeo', 'inspect', '--tls-verify=false', '--raw', "docker://$ref".toString())
        Digest.of(out.getBytes('UTF-8'))
    }

    static String skopeoDigest(String ref) {
        def out = TestImages.run('skopeo', 'inspect', '--tls-verify=false', "docker://$ref".toString())
        (Json.MAPPER.readValue(out, Map)).Digest
    }

    static String skopeoDigestWith(String ref, String creds) {
        def out = TestImages.run('skopeo', 'inspect', '--tls-verify=false', '--creds', creds, "docker://$ref".toString())
        (Json.MAPPER.readValue(out, Map)).Digest
    }

    /** A tar with one file: for small marker layers. */
    static byte[] fileTar(String name, String content) {
        new TarMaker().file(name, content).bytes()
    }

    /** A layer of incompressible bytes, so a cut lands inside it. */
    static byte[] randomTar(String name, int bytes) {
        byte[] data = new byte[bytes]
        new Random(42).nextBytes(data)
        new TarMaker().file(name, data).bytes()
    }
}

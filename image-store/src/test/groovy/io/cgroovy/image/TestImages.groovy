package io.cgroovy.image

import java.nio.file.Files
import java.nio.file.Path

/** Writes images by hand in the formats the store reads: docker save archives and OCI layouts. */
class TestImages {
    static String json(Object o) { Json.MAPPER.writeValueAsString(o) }

    /** The message of the ImageException {@code c} throws, which must be one line; an AssertionError if it throws none. */
    static String message(Closure c) {
        try {
            c()
        } catch (ImageException e) {
            assert !e.message.contains('\n')
            return e.message
        }
        throw new AssertionError('no ImageException')
    }

    static String config(List<String> diffIds, Map extra = [:]) {
        json([architecture: 'amd64', os: 'linux', created: '2024-05-01T10:00:00Z',
                           config: [Cmd: ['sh']] + extra, rootfs: [type: 'layers', diff_ids: diffIds]])
    }

    /** A legacy docker save archive: manifest.json, <config>.json, <n>/layer.tar (uncompressed). */
    static Path dockerArchive(Path out, List<String> repoTags, List<byte[]> layers) {
        def diffIds = layers.collect { Digest.of(it) }
        def cfg = config(diffIds).getBytes('UTF-8')
        def cfgName = Digest.hex(Digest.of(cfg)) + '.json'
        def t = new TarMaker()
        t.file(cfgName, cfg)
        def paths = []
        layers.eachWithIndex { byte[] l, int i ->
            def p = Digest.hex(diffIds[i]) + "/layer.tar"
            t.dir(Digest.hex(diffIds[i]))
            t.file(p, l)
            paths << p
        }
        t.file('manifest.json', json([[Config: cfgName, RepoTags: repoTags, Layers: paths]]))
        Files.write(out, t.bytes())
        out
    }

    /** An OCI image layout dir with one image of gzip layers; returns the layout dir. */
    static Path ociLayout(Path dir, String refName, List<byte[]> layers, Map opts = [:]) {
        Files.createDirectories(dir.resolve('blobs/sha256'))
        def put = { byte[] b -> def d = Digest.of(b); Files.write(dir.resolve('blobs/sha256/' + Digest.hex(d)), b); d }
        def gz = layers.collect { TarMaker.gzip(it) }
        def cfg = config(layers.collect { Digest.of(it) }).getBytes('UTF-8')
        def cfgD = put(cfg)
        def manifest = json([schemaVersion: 2, mediaType: MediaTypes.OCI_MANIFEST,
                                          config: [mediaType: MediaTypes.OCI_CONFIG, digest: cfgD, size: cfg.length],
                                          layers: gz.collect { [mediaType: MediaTypes.OCI_LAYER_GZIP, digest: put(it), size: it.length] }]).getBytes('UTF-8')
        def mD = put(manifest)
        def entry = [mediaType: opts.indexMediaType ?: MediaTypes.OCI_MANIFEST, digest: mD, size: manifest.length]
        if (refName) entry.annotations = ['org.opencontainers.image.ref.name': refName]
        Files.writeString(dir.resolve('oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
        Files.writeString(dir.resolve('index.json'), json([schemaVersion: 2, manifests: [entry]]))
        dir
    }

    /** Everything under a dir as relative paths, for "the store is as before" checks. */
    static Set<String> tree(Path root) {
        def out = [] as TreeSet
        if (!Files.exists(root)) return out
        Files.walk(root).withCloseable { s -> s.each { if (it != root) out << root.relativize(it).toString() } }
        out
    }

    /** Permission bits including setuid/setgid/sticky, without following a link. */
    static int mode(Path p) {
        (Files.getAttribute(p, 'unix:mode', java.nio.file.LinkOption.NOFOLLOW_LINKS) as int) & 07777
    }

    static void deleteTree(Path p) {
        if (p != null && Files.exists(p)) AtomicFiles.deleteTree(p)
    }

    static String run(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: $out"
        out
    }

    /**
     * An OCI layout written by umoci (the peer tool), tag "t", three layers: a base with files,
     * links, modes and owners; a whiteout of /etc/link; an opaque /opt.
     */
    static Path umociLayout(Path work) {
        def lay = work.resolve('lay')
        def content = Files.createDirectories(work.resolve('content'))
        Files.createDirectories(content.resolve('etc'))
        Files.writeString(content.resolve('etc/greeting'), 'hello\n')
        Files.createSymbolicLink(content.resolve('etc/link'), Path.of('greeting'))
        Files.createDirectories(content.resolve('bin'))
        Files.writeString(content.resolve('bin/tool'), '#!/bin/sh\necho tool\n')
        run('chmod', '0755', content.resolve('bin/tool').toString())
        Files.createDirectories(content.resolve('srv/private'))
        run('chmod', '0700', content.resolve('srv/private').toString())
        run('chown', '1000:1000', content.resolve('srv/private').toString())
        Files.createDirectories(content.resolve('opt'))
        Files.writeString(content.resolve('opt/old'), 'old')
        def opt = Files.createDirectories(work.resolve('opt'))
        Files.writeString(opt.resolve('new'), 'new')
        run('umoci', 'init', '--layout', lay.toString())
        run('umoci', 'new', '--image', "$lay:t".toString())
        run('umoci', 'insert', '--image', "$lay:t".toString(), content.toString(), '/')
        run('umoci', 'insert', '--image', "$lay:t".toString(), '--whiteout', '/etc/link')
        run('umoci', 'insert', '--image', "$lay:t".toString(), '--opaque', opt.toString(), '/opt')
        lay
    }
}

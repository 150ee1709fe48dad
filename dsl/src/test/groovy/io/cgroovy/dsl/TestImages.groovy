package io.cgroovy.dsl

import com.fasterxml.jackson.databind.ObjectMapper

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * Small real images for specs: an OCI image layout (written by hand, as the spec says) whose one
 * layer, made by tar(1), holds the host's static busybox as /bin/busybox (with /bin/sh) and the files given.
 */
class TestImages {
    /** The engine's firewall can work in this kernel (nftables or iptables-legacy). */
    static boolean firewallWorks() { io.cgroovy.testing.KernelProbes.firewallWorks() }

    /** Writes an OCI layout under {@code dir} with {@code files} (path → text) beside busybox; returns the layout dir. */
    static Path layout(Path dir, Map<String, String> files) { layout(dir, files, [:]) }

    /** As above, with {@code runtime} added to the image's config (e.g. {@code [Healthcheck: [Test: [...]]]}). */
    static Path layout(Path dir, Map<String, String> files, Map<String, ?> runtime) {
        Path tree = Files.createDirectories(dir.resolve('tree'))
        Files.createDirectories(tree.resolve('bin'))
        Files.copy(Path.of('/bin/busybox'), tree.resolve('bin/busybox'))
        Files.createSymbolicLink(tree.resolve('bin/sh'), Path.of('busybox'))
        files.each { String p, String text ->
            Path f = tree.resolve(p.replaceFirst('^/', ''))
            Files.createDirectories(f.parent)
            Files.writeString(f, text)
        }
        Path layout = Files.createDirectories(dir.resolve('layout'))
        Path blobs = Files.createDirectories(layout.resolve('blobs/sha256'))
        Path layerTar = dir.resolve('layer.tar')
        Process p = ['tar', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', tree.toString(),
                     '-cf', layerTar.toString(), '.'].execute()
        assert p.waitFor() == 0: p.errorStream.text
        byte[] layer = Files.readAllBytes(layerTar)
        String layerDigest = put(blobs, layer)
        ObjectMapper json = new ObjectMapper()
        byte[] config = json.writeValueAsBytes([architecture: 'amd64', os: 'linux',
                                                config: [Env: ['PATH=/bin'], Cmd: ['/bin/sh']] + runtime,
                                                rootfs: [type: 'layers', diff_ids: [layerDigest]]])
        String configDigest = put(blobs, config)
        byte[] manifest = json.writeValueAsBytes([schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
                                                  config: [mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length],
                                                  layers: [[mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length]]])
        String manifestDigest = put(blobs, manifest)
        Files.writeString(layout.resolve('oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
        Files.write(layout.resolve('index.json'), json.writeValueAsBytes([schemaVersion: 2,
                manifests: [[mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length]]]))
        layout
    }

    private static String put(Path blobs, byte[] data) {
        String hex = MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
        Files.write(blobs.resolve(hex), data)
        'sha256:' + hex
    }
}

package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

/** Layouts and archives written by the peer tools (umoci, skopeo) import and unpack right. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class OciInteropSpec extends Specification {
    Path work
    Path root
    Path lay

    def setup() {
        work = Files.createTempDirectory('cgroovy-interop')
        root = work.resolve('store')
        lay = TestImages.umociLayout(work)
    }

    def cleanup() { TestImages.deleteTree(work) }

    def "an OCI layout written by umoci imports, is named from ref.name, and unpacks its three layers"() {
        given:
        def store = ImageStore.open(root)

        when:
        def recs = store.importOciLayout(lay, null)
        def snap = store.snapshot('t:latest')
        def (base, wh, top) = snap.layers()

        then:
        recs.size() == 1
        recs[0].tags() == ['t:latest']
        store.list() == recs
        recs[0].size() > 0
        recs[0].created() != null
        snap.imageId() == recs[0].id()
        snap.reference() == 't:latest'
        snap.layers().size() == 3
        snap.layers().every { it.parent == root.resolve('layers') }
        snap.layers()*.fileName*.toString() == Digest.chainIds(snap.config().rootfs.diffIds).collect { Digest.hex(it) }
        Files.readString(base.resolve('etc/greeting')) == 'hello\n'
        Files.readSymbolicLink(base.resolve('etc/link')).toString() == 'greeting'
        TestImages.mode(base.resolve('bin/tool')) == 0755
        TestImages.mode(base.resolve('srv/private')) == 0700
        Files.getAttribute(base.resolve('srv/private'), 'unix:uid') == 1000
        ((Files.getAttribute(wh.resolve('etc/link'), 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int) & 0170000) == LibC.S_IFCHR
        Files.readString(top.resolve('opt/new')) == 'new'
    }

    def "nameAs names the images of a layout: a repository keeps ref.name as the tag"() {
        given:
        def store = ImageStore.open(root)

        expect:
        store.importOciLayout(lay, 'example.com/team/app')*.tags() == [['example.com/team/app:t']]
        store.importOciLayout(lay, 'app:2')*.tags().flatten() == ['app:2', 'example.com/team/app:t']
        store.list().size() == 1
    }

    def "a docker-archive written by skopeo loads with its RepoTags, as the same image"() {
        given:
        def store = ImageStore.open(root)
        def tar = work.resolve('x.tar')
        TestImages.run('skopeo', 'copy', "oci:$lay:t".toString(), "docker-archive:$tar:example.com/demo:1".toString())
        def fromLayout = ImageStore.open(work.resolve('other')).importOciLayout(lay, null)[0]

        when:
        def recs = store.load(tar)
        def snap = store.snapshot('example.com/demo:1')

        then:
        recs*.tags() == [['example.com/demo:1']]
        recs[0].id() == fromLayout.id()                 // same config, so the same image id
        snap.layers().size() == 3
        Files.readString(snap.layers()[0].resolve('etc/greeting')) == 'hello\n'
        Files.readString(snap.layers()[2].resolve('opt/new')) == 'new'
    }

    def "a gzipped docker-archive (docker save | gzip) loads too, and leaves no temp copy"() {
        given:
        def store = ImageStore.open(root)
        def tar = work.resolve('x.tar')
        TestImages.run('skopeo', 'copy', "oci:$lay:t".toString(), "docker-archive:$tar:demo:gz".toString())
        TestImages.run('gzip', '-k', tar.toString())

        when:
        def recs = store.load(work.resolve('x.tar.gz'))

        then:
        recs*.tags() == [['demo:gz']]
        store.snapshot('demo:gz').layers().size() == 3
        TestImages.tree(root).every { !it.contains('.tmp-') }
    }

    def "a layout re-written by skopeo (oci:DIR:name:tag) and the same layout in a tar both load"() {
        given:
        def store = ImageStore.open(root)
        def lay2 = work.resolve('lay2')
        TestImages.run('skopeo', 'copy', "oci:$lay:t".toString(), "oci:$lay2:busybox:1.0".toString())
        def layTar = work.resolve('lay.tar')
        TestImages.run('tar', '-C', lay.toString(), '-cf', layTar.toString(), '.')

        when:
        def a = store.load(lay2)
        def b = store.load(layTar)

        then:
        a*.tags() == [['busybox:1.0']]
        b*.id() == a*.id()                              // skopeo kept the config: one image, two tags
        b*.tags() == [['busybox:1.0', 't:latest']]
        store.inspect('docker.io/library/busybox:1.0').id() == a[0].id()
        store.snapshot('busybox:1.0').layers().size() == 3
    }

    def "a newer docker save archive (an OCI layout plus manifest.json) loads with RepoTags"() {
        given:
        def store = ImageStore.open(root)
        def index = Json.MAPPER.readTree(lay.resolve('index.json').toFile())
        def manifestDigest = index.get('manifests').get(0).get('digest').asText()
        def manifest = Json.MAPPER.readTree(lay.resolve('blobs/sha256/' + Digest.hex(manifestDigest)).toFile())
        def configDigest = manifest.get('config').get('digest').asText()
        def t = new TarMaker()
        Files.list(lay.resolve('blobs/sha256')).sorted().each { t.file('blobs/sha256/' + it.fileName, Files.readAllBytes(it)) }
        t.file('oci-layout', Files.readAllBytes(lay.resolve('oci-layout')))
        t.file('index.json', TestImages.json([schemaVersion: 2, manifests: [[mediaType: MediaTypes.OCI_MANIFEST, digest: manifestDigest,
                size: index.get('manifests').get(0).get('size').asLong(),
                annotations: ['io.containerd.image.name': 'docker.io/library/newer:1', 'org.opencontainers.image.ref.name': '1']]]]))
        t.file('manifest.json', TestImages.json([[Config: 'blobs/sha256/' + Digest.hex(configDigest), RepoTags: ['newer:1', 'newer:latest'],
                Layers: manifest.get('layers').collect { 'blobs/sha256/' + Digest.hex(it.get('digest').asText()) }]]))
        def tar = work.resolve('new.tar')
        Files.write(tar, t.bytes())

        when:
        def recs = store.load(tar)

        then:
        recs*.tags() == [['newer:1', 'newer:latest']]
        recs[0].manifestDigest() == manifestDigest
        store.snapshot('newer').layers().size() == 3
    }
}

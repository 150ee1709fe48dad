package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption

/** Every blob is checked against its descriptor; a failed import leaves the store exactly as it was. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class BlobVerificationSpec extends Specification {
    Path work
    Path root
    ImageStore store
    Set<String> before

    def setup() {
        work = Files.createTempDirectory('cgroovy-verify')
        root = work.resolve('store')
        store = ImageStore.open(root)
        store.ensureDefaultBusybox()   // something already in the store that must survive untouched
        before = TestImages.tree(root)
    }

    def cleanup() { TestImages.deleteTree(work) }

    private Path copyOfUmociLayout() {
        def lay = TestImages.umociLayout(work.resolve('src'))
        def copy = work.resolve('copy')
        Files.walk(lay).withCloseable { s ->
            s.each { Files.copy(it, copy.resolve(lay.relativize(it).toString()), StandardCopyOption.COPY_ATTRIBUTES) }
        }
        copy
    }

    private static Map manifestOf(Path lay) {
        def index = Json.MAPPER.readValue(lay.resolve('index.json').toFile(), Map)
        Json.MAPPER.readValue(lay.resolve('blobs/sha256/' + Digest.hex(index.manifests[0].digest)).toFile(), Map)
    }

    private static void flipByte(Path p, int at) {
        def b = Files.readAllBytes(p)
        b[at] = (byte) (b[at] ^ 0x01)
        Files.write(p, b)
    }

    /** Puts {@code doc} among the layout's blobs and makes index.json list it alone, as {@code mediaType}; its digest. */
    private static String listAlone(Path lay, byte[] doc, String mediaType, Map extra = [:]) {
        String d = Digest.of(doc)
        Files.write(lay.resolve('blobs/sha256/' + Digest.hex(d)), doc)
        Files.writeString(lay.resolve('index.json'), TestImages.json([schemaVersion: 2,
                manifests: [[mediaType: mediaType, digest: d, size: doc.length] + extra]]))
        d
    }

    def "a corrupted layer byte fails with the layer's digest and leaves no blobs, layers or records"() {
        given:
        def lay = copyOfUmociLayout()
        String layer = manifestOf(lay).layers[1].digest
        flipByte(lay.resolve('blobs/sha256/' + Digest.hex(layer)), 20)

        when:
        store.importOciLayout(lay, null)

        then:
        def e = thrown(ImageException)
        e.message.startsWith("blob $layer: digest mismatch (content is sha256:")
        TestImages.tree(root) == before
        store.list()*.tags() == [['busybox:latest']]
    }

    def "a truncated layer fails with a size mismatch naming the digest"() {
        given:
        def lay = copyOfUmociLayout()
        String layer = manifestOf(lay).layers[2].digest
        def p = lay.resolve('blobs/sha256/' + Digest.hex(layer))
        def b = Files.readAllBytes(p)
        Files.write(p, Arrays.copyOf(b, b.length - 1))

        when:
        store.load(lay)

        then:
        def e = thrown(ImageException)
        e.message == "blob $layer: size mismatch (declared ${b.length} bytes, got ${b.length - 1})"
        TestImages.tree(root) == before
    }

    def "a corrupted config fails with the config's digest"() {
        given:
        def lay = copyOfUmociLayout()
        String config = manifestOf(lay).config.digest
        flipByte(lay.resolve('blobs/sha256/' + Digest.hex(config)), 5)

        when:
        store.importOciLayout(lay, 'x')

        then:
        def e = thrown(ImageException)
        e.message.startsWith("blob $config: digest mismatch")
        TestImages.tree(root) == before
    }

    def "a missing blob is named"() {
        given:
        def lay = copyOfUmociLayout()
        String layer = manifestOf(lay).layers[0].digest
        Files.delete(lay.resolve('blobs/sha256/' + Digest.hex(layer)))

        when:
        store.load(lay)

        then:
        def e = thrown(ImageException)
        e.message == "$lay: blobs/sha256/${Digest.hex(layer)} is missing"
        TestImages.tree(root) == before
    }

    def "CVE-2021-41190: an index served where a manifest was asked for is refused"() {
        given: 'a layout whose index.json says manifest, pointing at a document that says it is an index'
        def lay = work.resolve('confused')
        Files.createDirectories(lay.resolve('blobs/sha256'))
        def inner = TestImages.ociLayout(work.resolve('inner'), 'x', [new TarMaker().file('a', 'a').bytes()])
        def innerIndex = Json.MAPPER.readValue(inner.resolve('index.json').toFile(), Map)
        def doc = TestImages.json([schemaVersion: 2, mediaType: MediaTypes.OCI_LAYOUT_INDEX, manifests: innerIndex.manifests]).getBytes('UTF-8')
        Files.writeString(lay.resolve('oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
        def d = listAlone(lay, doc, MediaTypes.OCI_MANIFEST)

        when:
        store.load(lay)

        then:
        def e = thrown(ImageException)
        e.message == "manifest $d: mediaType ${MediaTypes.OCI_LAYOUT_INDEX} does not match the ${MediaTypes.OCI_MANIFEST} asked for"
        TestImages.tree(root) == before
    }

    def "a manifest without a mediaType that carries manifests (an index in disguise) is refused too"() {
        given:
        def lay = TestImages.ociLayout(work.resolve('l'), 'x', [new TarMaker().file('a', 'a').bytes()])
        def index = Json.MAPPER.readValue(lay.resolve('index.json').toFile(), Map)
        def doc = TestImages.json([schemaVersion: 2, manifests: index.manifests]).getBytes('UTF-8')
        def d = listAlone(lay, doc, MediaTypes.OCI_MANIFEST)

        when:
        store.load(lay)

        then:
        def e = thrown(ImageException)
        e.message == "manifest $d: is an index, but a manifest was asked for (mediaType ${MediaTypes.OCI_MANIFEST})"
        TestImages.tree(root) == before
    }

    def "an image index in a layout: the host platform's manifest is picked"() {
        given: 'a layout whose one entry is a multi-platform index (arm64 listed first)'
        def lay = TestImages.ociLayout(work.resolve('multi'), null, [new TarMaker().file('amd', 'x').bytes()])
        def index = Json.MAPPER.readValue(lay.resolve('index.json').toFile(), Map)
        def amd = index.manifests[0] + [platform: [architecture: 'amd64', os: 'linux']]
        def arm = [mediaType: MediaTypes.OCI_MANIFEST, digest: 'sha256:' + 'a' * 64, size: 10, platform: [architecture: 'arm64', os: 'linux']]
        def ix = TestImages.json([schemaVersion: 2, mediaType: MediaTypes.OCI_LAYOUT_INDEX, manifests: [arm, amd]]).getBytes('UTF-8')
        listAlone(lay, ix, MediaTypes.OCI_LAYOUT_INDEX, [annotations: ['org.opencontainers.image.ref.name': 'multi:1']])

        when:
        def recs = store.load(lay)

        then:
        recs*.tags() == [['multi:1']]
        recs[0].manifestDigest() == amd.digest
        Files.exists(store.snapshot('multi:1').layers()[0].resolve('amd'))
    }

    def "a layout listing one image per platform at top level imports only the host's"() {
        given:
        def lay = TestImages.ociLayout(work.resolve('plat'), 'plat:1', [new TarMaker().file('amd', 'x').bytes()])
        def index = Json.MAPPER.readValue(lay.resolve('index.json').toFile(), Map)
        def amd = index.manifests[0] + [platform: [architecture: 'amd64', os: 'linux']]
        def arm = [mediaType: MediaTypes.OCI_MANIFEST, digest: 'sha256:' + 'b' * 64, size: 10,
                   platform: [architecture: 'arm64', os: 'linux'], annotations: ['org.opencontainers.image.ref.name': 'plat:1']]
        Files.writeString(lay.resolve('index.json'), TestImages.json([schemaVersion: 2, manifests: [amd, arm]]))

        when:
        def recs = store.load(lay)

        then:
        recs*.manifestDigest() == [amd.digest]
        recs*.tags() == [['plat:1']]

        when: 'only other platforms'
        Files.writeString(lay.resolve('index.json'), TestImages.json([schemaVersion: 2, manifests: [arm]]))
        store.load(lay)

        then:
        def e = thrown(ImageException)
        e.message == "$lay/index.json: no linux/amd64 image in this layout"
    }

    def "a docker archive whose layer does not match the config's diff_id names the layer"() {
        given:
        def tar = work.resolve('bad.tar')
        def good = new TarMaker().file('a', 'a').bytes()
        TestImages.dockerArchive(tar, ['bad:1'], [good])
        // rewrite the archive with the layer's content changed but the config kept
        def t = new TarMaker()
        def src = new org.apache.commons.compress.archivers.tar.TarFile(tar)
        String layerName = null
        src.entries.each { en ->
            byte[] b = src.getInputStream(en).bytes
            if (en.name.endsWith('layer.tar')) { b = new TarMaker().file('a', 'EVIL').bytes(); layerName = en.name }
            if (en.directory) t.dir(en.name) else t.file(en.name, b)
        }
        src.close()
        def forged = work.resolve('forged.tar')
        Files.write(forged, t.bytes())

        when:
        store.load(forged)

        then:
        def e = thrown(ImageException)
        e.message.startsWith("layer $layerName in $forged: digest sha256:")
        e.message.endsWith("does not match diff_id ${Digest.of(good)} in the config")
        TestImages.tree(root) == before
    }

    def "a file that is neither a layout nor an archive, and a missing path, get clear errors"() {
        given:
        def junk = work.resolve('junk.tar')
        Files.write(junk, new TarMaker().file('hello', 'x').bytes())

        when:
        store.load(junk)
        then:
        def e = thrown(ImageException)
        e.message == "$junk: neither a docker save archive nor an OCI layout (no manifest.json or oci-layout)"

        when:
        store.load(work.resolve('nope'))
        then:
        def e2 = thrown(ImageException)
        e2.message == "no such file or directory: ${work.resolve('nope')}"
        TestImages.tree(root) == before
    }

    def "a gzipped archive that expands past the bound is refused (gzip bomb) and leaves nothing"() {
        given:
        def small = ImageStore.open(root, 1L << 20)
        def bomb = work.resolve('bomb.tar.gz')
        Files.write(bomb, TarMaker.gzip(new TarMaker().file('zeros', new byte[4 << 20]).bytes()))

        when:
        small.load(bomb)

        then:
        def e = thrown(ImageException)
        e.message == "$bomb: expands to more than 1048576 bytes; refusing it (gzip bomb?)"
        TestImages.tree(root) == before
    }
}

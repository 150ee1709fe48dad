package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** References, tags, removal and the freeing of what no image uses any more. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class StoreSpec extends Specification {
    Path root
    ImageStore store
    byte[] l0 = new TarMaker().dir('etc').file('etc/base', 'base').bytes()
    byte[] l1 = new TarMaker().dir('app').file('app/run', 'app', 0755).bytes()

    def setup() {
        root = Files.createTempDirectory('cgroovy-store')
        store = ImageStore.open(root.resolve('state'))
        store.load(TestImages.dockerArchive(root.resolve('base.tar'), ['base:1'], [l0]))
        store.load(TestImages.dockerArchive(root.resolve('app.tar'), ['app:1'], [l0, l1]))
    }

    def cleanup() { TestImages.deleteTree(root) }

    private Path state(String sub) { root.resolve('state').resolve(sub) }

    private String chain(List<byte[]> layers) { Digest.hex(Digest.chainIds(layers.collect { Digest.of(it) }).last()) }

    def "references are normalised like Docker's and ids may be given by prefix"() {
        given:
        def base = store.inspect('base:1')

        expect:
        store.inspect('docker.io/library/base:1') == base
        store.inspect(base.id()) == base
        store.inspect(Digest.hex(base.id()).substring(0, 6)) == base
        store.inspect('sha256:' + Digest.hex(base.id()).substring(0, 8)) == base
        store.inspect('base@' + base.manifestDigest()) == base
        base.tags() == ['base:1']
        store.list()*.tags() == [['app:1'], ['base:1']]
        ImageStore.open(root.resolve('state')).list() == store.list()   // records persist
        TestImages.mode(state('layers')) == 0700                          // setuid files of images stay out of reach
    }

    def "unknown and malformed references get one-line errors naming them"() {
        when:
        store.inspect(ref)

        then:
        def e = thrown(ImageException)
        e.message == message

        where:
        ref          | message
        'base'       | 'no such image: base'
        'base:2'     | 'no such image: base:2'
        'abc'        | 'no such image: abc'
        'Bad:Name'   | "invalid reference 'Bad:Name': bad name component 'Bad'"
        'x:bad tag'  | "invalid reference 'x:bad tag': bad tag 'bad tag'"
    }

    def "snapshotIfPresent is the snapshot of an image the store has, null for one it has not; bad references still fail"() {
        given:
        def app = store.inspect('app:1')

        when:
        def s = store.snapshotIfPresent('app:1')

        then:
        def full = store.snapshot('app:1')
        [s.imageId(), s.reference(), s.layers(), s.manifestDigest()] == [full.imageId(), full.reference(), full.layers(), full.manifestDigest()]
        new String(Json.write(s.config())) == new String(Json.write(full.config()))
        s.imageId() == app.id()
        s.manifestDigest() == app.manifestDigest()
        s.reference() == 'app:1'
        s.layers()*.fileName*.toString() == [chain([l0]), chain([l0, l1])]
        store.snapshotIfPresent('app:2') == null
        store.snapshotIfPresent('nosuch') == null

        when:
        store.snapshotIfPresent('Bad:Name')

        then:
        def e = thrown(ImageException)
        e.message == "invalid reference 'Bad:Name': bad name component 'Bad'"

        when:
        store.snapshot('app:2')

        then:
        e = thrown(ImageException)
        e.message == 'no such image: app:2'
    }

    def "a tag names one image: tagging moves it; removing one of several tags only untags"() {
        when:
        store.tag('base:1', 'example.com/team/base:2')
        store.tag('app:1', 'base:1')

        then:
        store.inspect('base:1').tags() == ['app:1', 'base:1']
        store.inspect('example.com/team/base:2').tags() == ['example.com/team/base:2']

        when:
        store.remove('base:1')

        then:
        store.inspect('app:1').tags() == ['app:1']
        store.list().size() == 2

        when:
        store.tag('nothing:1', 'x:1')

        then:
        def e = thrown(ImageException)
        e.message == 'no such image: nothing:1'
    }

    def "removing an image frees its own layers and blobs and keeps the shared ones"() {
        given:
        def base = store.inspect('base:1')
        def app = store.inspect('app:1')
        def appSnap = store.snapshot('app:1')
        store.snapshot('base:1')
        def appOnlyBlob = Digest.of(l1)

        expect:
        appSnap.layers()*.fileName*.toString() == [chain([l0]), chain([l0, l1])]
        Files.isDirectory(state('layers').resolve(chain([l0, l1])))

        when:
        store.remove('app:1')

        then:
        store.list() == [base]
        !Files.exists(state('layers').resolve(chain([l0, l1])))
        Files.isDirectory(state('layers').resolve(chain([l0])))
        !Files.exists(state('blobs/sha256').resolve(Digest.hex(appOnlyBlob)))
        !Files.exists(state('blobs/sha256').resolve(Digest.hex(app.id())))
        Files.exists(state('blobs/sha256').resolve(Digest.hex(Digest.of(l0))))
        Files.readString(store.snapshot('base:1').layers()[0].resolve('etc/base')) == 'base'

        when: 'the last image goes, by id prefix'
        store.remove(Digest.hex(base.id()).substring(0, 12))

        then:
        store.list().isEmpty()
        TestImages.tree(state('layers')).isEmpty()
        TestImages.tree(state('blobs')) == ['sha256'] as Set
        TestImages.tree(state('images')).isEmpty()

        when:
        store.remove('base:1')

        then:
        def e = thrown(ImageException)
        e.message == 'no such image: base:1'
    }

    def "a second import of the same image only adds tags and writes no new blobs"() {
        given:
        def blobs = TestImages.tree(state('blobs'))

        when:
        def recs = store.load(TestImages.dockerArchive(root.resolve('again.tar'), ['again:1'], [l0]))

        then:
        recs*.tags() == [['again:1', 'base:1']]
        TestImages.tree(state('blobs')) == blobs
    }

    def "a dead writer's leftovers (temp files, unrecorded blobs and layers) are swept when the store is opened"() {
        given:
        Files.writeString(state('blobs/sha256').resolve('.tmp-abc-123'), 'half a blob')
        Files.createDirectories(state('layers').resolve('.tmp-deadbeef-1/etc'))
        Files.writeString(state('images').resolve('.tmp-x.json-2'), '{')
        def orphanBlob = Digest.hex(Digest.of('never recorded'.bytes))
        Files.writeString(state('blobs/sha256').resolve(orphanBlob), 'never recorded')
        Files.createDirectories(state('layers').resolve('e' * 64).resolve('etc'))
        def kept = TestImages.tree(state('blobs')).findAll { !it.contains('.tmp-') && !it.endsWith(orphanBlob) }

        when:
        ImageStore.open(root.resolve('state'))

        then:
        !Files.exists(state('blobs/sha256').resolve(orphanBlob))
        !Files.exists(state('layers').resolve('e' * 64))
        TestImages.tree(state('blobs')) == kept
        TestImages.tree(state('layers')).every { !it.startsWith('.tmp-') }
        TestImages.tree(state('blobs')).every { !it.contains('.tmp-') }
        TestImages.tree(state('images')).every { !it.startsWith('.tmp-') }
        store.list().size() == 2
    }

    def "an untagged layout entry imports as a dangling image; nameAs names it"() {
        given:
        def lay = TestImages.ociLayout(root.resolve('lay'), null, [new TarMaker().file('u', 'u').bytes()])

        when:
        def dangling = store.importOciLayout(lay, null)

        then:
        dangling*.tags() == [[]]
        store.list().last() == dangling[0]
        store.snapshot(dangling[0].id()).reference() == dangling[0].id()

        when:
        def named = store.importOciLayout(lay, 'named')

        then:
        named*.tags() == [['named:latest']]
        named[0].id() == dangling[0].id()
        store.snapshot('named').reference() == 'named:latest'

        when:
        store.importOciLayout(lay, 'Not A Name')

        then:
        def e = thrown(ImageException)
        e.message == "invalid reference 'Not A Name': bad name component 'Not A Name'"
    }
}

package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * Writers from several threads and from another JVM share one store: images that share a base
 * layer are imported, unpacked and removed at the same time, and the store stays consistent.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class ConcurrencySpec extends Specification {
    Path work
    Path root
    byte[] base = new TarMaker().dir('etc').file('etc/base', 'shared').bytes()

    def setup() {
        work = Files.createTempDirectory('cgroovy-conc')
        root = work.resolve('state')
    }

    def cleanup() { TestImages.deleteTree(work) }

    private Path archive(String tag) {
        TestImages.dockerArchive(work.resolve(tag.replace(':', '_') + '.tar'), [tag],
                [base, new TarMaker().file(tag.replace(':', '_'), tag).bytes()])
    }

    /** Every record's blobs exist and match their names; no temp files are left. */
    private void assertConsistent(ImageStore store) {
        for (def s : new RecordStore(root).all()) {
            s.blobs.each { d ->
                def p = root.resolve('blobs/sha256').resolve(Digest.hex(d))
                assert Files.exists(p): "blob $d of ${s.tags} missing"
                assert Digest.of(Files.readAllBytes(p)) == d
            }
        }
        assert TestImages.tree(root).every { !it.contains('.tmp-') }
    }

    def "four threads on two store instances import, unpack and remove images sharing a layer"() {
        given:
        def tags = ['one:1', 'two:1', 'three:1', 'four:1']
        def archives = tags.collectEntries { [(it): archive(it)] }
        def stores = [ImageStore.open(root), ImageStore.open(root)]
        def pool = Executors.newFixedThreadPool(4)

        when:
        def futures = tags.withIndex().collect { tag, i ->
            pool.submit({
                def store = stores[i % 2]
                5.times {
                    store.load(archives[tag])
                    assert Files.readString(store.snapshot(tag).layers()[0].resolve('etc/base')) == 'shared'
                    store.remove(tag)
                }
                store.load(archives[tag])
                store.snapshot(tag)
            } as Callable)
        }
        futures*.get(120, TimeUnit.SECONDS)

        then:
        stores[0].list()*.tags().flatten().sort() == tags.sort()
        tags.every { stores[1].snapshot(it).layers().size() == 2 }
        assertConsistent(stores[0])

        cleanup:
        pool.shutdownNow()
    }

    def "another JVM writing the same store at the same time does not corrupt it (file lock)"() {
        given:
        def store = ImageStore.open(root)
        def mine = archive('mine:1')
        def theirs = archive('theirs:1')
        def java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        def child = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'),
                LoaderMain.name, root.toString(), theirs.toString(), 'theirs:1', '8')
                .redirectErrorStream(true).start()

        when: 'this JVM keeps writing for as long as the other one runs'
        int rounds = 0
        while (child.isAlive() || rounds < 8) {
            store.load(mine)
            assert Files.readString(store.snapshot('mine:1').layers()[0].resolve('etc/base')) == 'shared'
            store.remove('mine:1')
            rounds++
        }
        store.load(mine)
        def out = child.inputStream.text
        def rc = child.waitFor()

        then:
        rc == 0
        out.contains('done')
        store.list()*.tags() == [['mine:1']]
        store.snapshot('mine:1').layers().size() == 2
        assertConsistent(store)

        cleanup:
        child?.destroyForcibly()
    }
}

package io.cgroovy.dsl

import io.cgroovy.image.ImageStore
import spock.lang.IgnoreIf
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * builderPrune() and prune() drop the build cache: its entries, the build-step images only it
 * held and their layers and blobs; tagged images (built ones too) and images containers use stay
 * whole and run; the store stays consistent (a fresh open finds nothing to sweep).
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class BuildCachePruneSpec extends TestEngineSpecification {
    String engineName() { 'bprune' }

    private Set<String> names(String dir) {
        Path d = engine.root().resolve(dir)
        if (!Files.isDirectory(d)) return [] as Set
        Files.list(d).withCloseable { s -> s.collect { it.fileName.toString() } as Set<String> }
    }

    private static final String KEPT = """image('kept:1') {
        from 'busybox'
        run 'echo a > /a'
        run 'echo b > /b'
        cmd 'cat', '/a', '/b'
    }"""

    private static final String BIG = """image('big:1') {
        from 'busybox'
        run 'echo a > /a'
        run 'head -c 300000 /dev/urandom > /big'
        run 'echo s > /small'
    }"""

    def "builderPrune removes the cache and the layers only it held; tagged images run on; a rebuild runs every step and gives the same image"() {
        given: 'a tagged image, and one whose tag went: its step images are the cache'
        Image kept = eval(KEPT) as Image
        Image big = eval(BIG) as Image
        engine.images().snapshot('kept:1')                         // layers are unpacked when first used: all of them now
        int base = engine.images().snapshot('busybox').layers().size()
        Path bigLayer = engine.images().snapshot('big:1').layers()[base + 1]   // busybox's, /a, /big, /small
        Set<String> layersBoth = names('layers')
        eval("rmi 'big:1'")
        Set<String> layersCache = names('layers')
        List<String> stepImages = engine.images().buildImages()*.id()

        expect: 'the step images of big:1 still hold its /big layer (its last layer went with it: only its image held that)'
        layersBoth.size() == base + 4        // busybox's, /a (both images), /b, /big, /small
        layersCache.size() == base + 3
        stepImages.size() == 3        // /a, /a+/b, /a+/big
        names('build-cache').size() == 5

        when:
        Pruned p = eval('builderPrune()') as Pruned

        then: 'the cache entries, the step images and the layers only they held are gone'
        p.cacheEntries == 5
        p.buildCache as Set == stepImages as Set
        p.bytesFreed >= 300_000
        p.toString().startsWith('Deleted build cache objects:\n')
        p.toString().contains('Total reclaimed space: ')
        engine.images().buildImages().isEmpty()
        names('build-cache').isEmpty()
        names('layers').size() == base + 2   // busybox's, kept:1's two RUN layers
        (layersCache - names('layers')) == [bigLayer.fileName.toString()] as Set

        and: 'the store is consistent: every image unpacks, a fresh open sweeps nothing'
        Set<String> blobs = names('blobs/sha256')
        engine.images().list().each { engine.images().snapshot(it.id()) }
        ImageStore.open(engine.root())
        names('blobs/sha256') == blobs
        names('layers').size() == base + 2

        when: 'the tagged image runs, and rebuilding it runs every step and gives the same id'
        Image again = eval(KEPT) as Image
        out.reset()
        eval("container('kept:1') { }")

        then:
        out.toString() == 'a\nb\n'
        again.id == kept.id
        again.stepsRun == 3 && again.cacheHits == 0
        big.id != kept.id

        when: 'nothing left to prune'
        eval('builderPrune()')
        Pruned none = eval('builderPrune()') as Pruned

        then:
        none.toString() == 'Nothing to prune'
    }

    def "a build-step image a container uses is kept (with its layers), and prune() drops the rest of the cache too"() {
        given:
        eval('builderPrune()')
        eval(BIG)
        eval("rmi 'big:1'")
        String step = engine.images().buildImages().find { r ->
            engine.images().config(r.id()).history.last().createdBy?.contains('/big')
        }.id()
        Container c = eval("container('${step}') { detach(); run 'sleep', '300' }") as Container

        when:
        Pruned p = eval('prune()') as Pruned

        then:
        p.buildCache.size() == 1      // the /a step image; not the /big one in use
        !p.buildCache.contains(step)
        engine.images().buildImages()*.id() == [step]
        names('build-cache').isEmpty()

        when: 'the container can still be committed: its image and layers are all there'
        Image img = c.commit('fromstep:1')
        out.reset()
        eval("container('fromstep:1') { run 'sh', '-c', 'wc -c < /big; cat /a' }")

        then:
        out.toString().trim().split('\n') as List == ['300000', 'a']
        img.tags == ['fromstep:1']
    }
}

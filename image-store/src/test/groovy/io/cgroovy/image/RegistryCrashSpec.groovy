package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Pulls that die or race: a JVM killed with SIGKILL in the middle of a layer leaves nothing
 * visible and the next pull completes; two JVMs pulling the same image at once keep one copy.
 */
class RegistryCrashSpec extends Specification {
    Path work
    Path root
    LocalRegistry registry
    CuttingProxy proxy
    List<Process> children = []

    def setup() {
        work = Files.createTempDirectory('cgroovy-crash')
        root = work.resolve('store')
        registry = LocalRegistry.start(work.resolve('registry'))
        def lay = work.resolve('seed')
        RegistryImages.layout(lay, 'b', RegistryImages.image(lay, [RegistryImages.busyboxLayer(),
                RegistryImages.layer(RegistryImages.randomTar('data/random', 3 << 20), 'none')]))
        RegistryImages.push(lay, 'b', "$registry.host/big:b")
        proxy = new CuttingProxy(registry.port, 0)
    }

    def cleanup() {
        children.each { if (it.alive) { it.destroyForcibly(); it.waitFor(10, TimeUnit.SECONDS) } }
        proxy?.close()
        registry?.close()
        TestImages.deleteTree(work)
    }

    private Process pullInOtherJvm(String ref) {
        def java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        def p = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'), PullMain.name,
                root.toString(), ref, work.resolve('docker').toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("child-${children.size()}.log").toFile()).start()
        children << p
        p
    }

    private long tempBytes() {
        def dir = root.resolve('blobs/sha256')
        if (!Files.isDirectory(dir)) return 0
        Files.list(dir).withCloseable { s -> s.filter { it.fileName.toString().startsWith(AtomicFiles.TMP_PREFIX) }.mapToLong { sizeOrZero(it) }.sum() }
    }

    /** A temp file may be renamed into place between listing and stat. */
    private static long sizeOrZero(Path p) {
        try { Files.size(p) } catch (IOException ignored) { 0L }
    }

    def "kill -9 in the middle of a pull: no half-written blob is visible, the next pull completes"() {
        given: 'a slow registry, so the other JVM is mid-layer for a while'
        proxy.pauseMillis = 40
        def ref = "$proxy.host/big:b".toString()
        def child = pullInOtherJvm(ref)

        when: 'the layer is partly written, the JVM gets SIGKILL'
        long end = System.currentTimeMillis() + 120_000
        while (tempBytes() < 128 * 1024 && child.alive && System.currentTimeMillis() < end) Thread.sleep(50)
        assert child.alive: Files.readString(work.resolve('child-0.log'))
        assert tempBytes() >= 128 * 1024
        child.destroyForcibly()
        child.waitFor(30, TimeUnit.SECONDS)

        and: 'the store is opened again'
        proxy.pauseMillis = 0
        def store = ImageStore.open(root)

        then: 'nothing of the dead pull is visible'
        store.list().isEmpty()
        TestImages.tree(root.resolve('blobs')) == ['sha256'] as Set
        TestImages.tree(root.resolve('layers')).isEmpty()

        when:
        def rec = store.pull(ref, RegistryOptions.defaults().dockerConfig(work.resolve('docker')))

        then:
        rec.tags() == [ref]
        Files.size(store.snapshot(ref).layers()[1].resolve('data/random')) == 3 << 20
        !TestImages.tree(root).any { it.contains(AtomicFiles.TMP_PREFIX) }
    }

    def "two JVMs pulling the same image at once keep one copy"() {
        given:
        proxy.pauseMillis = 2
        def ref = "$proxy.host/big:b".toString()

        when:
        def a = pullInOtherJvm(ref)
        def b = pullInOtherJvm(ref)
        a.waitFor(300, TimeUnit.SECONDS)
        b.waitFor(300, TimeUnit.SECONDS)
        def outA = Files.readString(work.resolve('child-0.log'))
        def outB = Files.readString(work.resolve('child-1.log'))

        then:
        a.exitValue() == 0
        b.exitValue() == 0
        outA.startsWith('pulled sha256:')
        outA == outB
        def store = ImageStore.open(root)
        store.list().size() == 1
        def s = new RecordStore(root).all()[0]
        TestImages.tree(root.resolve('blobs/sha256')) == s.blobs.collect { Digest.hex(it) } as Set
        TestImages.tree(root.resolve('layers')).findAll { !it.contains('/') } == s.chainIds.collect { Digest.hex(it) } as Set
    }
}

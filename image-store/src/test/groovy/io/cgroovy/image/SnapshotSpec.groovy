package io.cgroovy.image

import spock.lang.Specification
import java.nio.file.Path

@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class SnapshotSpec extends Specification {
    def "a snapshot keeps its layers in order and cannot be changed"() {
        given:
        def layers = [Path.of('/a'), Path.of('/b')]
        def s = new Snapshot('sha256:x', 'busybox', layers, new ImageConfig())
        when:
        layers << Path.of('/c')
        then:
        s.layers() == [Path.of('/a'), Path.of('/b')]
        when:
        s.layers().add(Path.of('/d'))
        then:
        thrown(UnsupportedOperationException)
    }
}

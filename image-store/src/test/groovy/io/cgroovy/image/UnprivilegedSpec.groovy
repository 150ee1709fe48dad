package io.cgroovy.image

import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * The store without privileges: a JVM started with every capability dropped (setpriv) unpacks
 * ordinary layers, keeping its own ids, and explains what it cannot do (the opaque xattr).
 */
@spock.lang.Tag('kernel-agnostic') // no cgroup or namespace: the cgroup v2 guest run leaves it out (README)
@Requires({ System.getProperty('user.name') == 'root' && new File('/usr/bin/setpriv').exists() })
class UnprivilegedSpec extends Specification {
    Path root

    def setup() { root = Files.createTempDirectory('cgroovy-nocaps') }

    def cleanup() { TestImages.deleteTree(root) }

    private String unpackWithoutCapabilities(byte[] tar) {
        def blob = root.resolve('blob')
        Files.write(blob, tar)
        def java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        TestImages.run('setpriv', '--bounding-set', '-all', '--inh-caps', '-all', '--',
                java, '-cp', System.getProperty('java.class.path'), UnpackMain.name,
                blob.toString(), Digest.of(tar), root.resolve('L').toString()).trim()
    }

    def "files owned by others in the layer are unpacked with the caller's ids"() {
        when:
        def out = unpackWithoutCapabilities(new TarMaker().dir('home', 0755, 1000, 1000).file('home/f', 'x', 0600, 1000, 1000).bytes())

        then:
        out == 'ok'
        Files.readString(root.resolve('L/home/f')) == 'x'
        Files.getAttribute(root.resolve('L/home/f'), 'unix:uid') == 0
        TestImages.mode(root.resolve('L/home/f')) == 0600
    }

    def "an opaque whiteout says what it needs and leaves nothing"() {
        given:
        def tar = new TarMaker().dir('d').file('d/.wh..wh..opq', '').bytes()

        when:
        def out = unpackWithoutCapabilities(tar)

        then:
        out.startsWith("error: layer ${Digest.of(tar)}: opaque whiteout 'd/.wh..wh..opq': setting trusted.overlay.opaque needs CAP_SYS_ADMIN (")
        TestImages.tree(root) == ['blob'] as Set
    }
}

package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

/**
 * Docker's volume pre-fill: an empty volume (named, anonymous, or made for an image VOLUME)
 * mounted where the image has a directory gets its contents, owner and mode; a volume with
 * anything in it is left as it is.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(400)
class VolumeFillSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('vfill')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        eval("""image('seeded:1') {
            from 'busybox'
            run 'mkdir -p /srv/conf/sub /var/lib/db && echo default > /srv/conf/app.conf && echo deep > /srv/conf/sub/f && ln -s app.conf /srv/conf/link && chown -R 1000:1001 /srv/conf && chmod 750 /srv/conf && chown 999:999 /var/lib/db && chmod 700 /var/lib/db'
            run 'mkdir /data && echo seed > /data/seed'
            volume '/data'
        }""")
    }

    def cleanup() {
        engine.keptContainers().each { engine.removeContainer(it.id()) }
        for (String v : engine.volumes().list()) engine.volumes().remove(v)
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
    }

    private Object eval(String code) { fixture.eval(code, out, err) }

    private static Object attr(Path p, String a) { Files.getAttribute(p, 'unix:' + a, LinkOption.NOFOLLOW_LINKS) }

    def "a new named volume gets the image's directory: files, symlinks, owner and mode; once filled it is not touched again"() {
        when:
        Container first = eval("container('seeded:1') { volume 'conf', '/srv/conf'; run 'cat /srv/conf/app.conf /srv/conf/sub/f; echo mine > /srv/conf/app.conf' }")
        Path data = engine.volumes().path('conf')

        then:
        first.exitCode == 0
        out.toString() == 'default\ndeep\n'
        Files.readString(data.resolve('app.conf')) == 'mine\n'
        Files.readSymbolicLink(data.resolve('link')).toString() == 'app.conf'
        attr(data, 'uid') == 1000 && attr(data, 'gid') == 1001
        ((attr(data, "mode") as int) & 07777) == 0750
        attr(data.resolve('sub/f'), 'uid') == 1000

        when: 'the next container of the same image sees what the volume holds, not the image'
        out.reset()
        Files.delete(data.resolve('sub/f'))
        eval("container('seeded:1') { volume 'conf', '/srv/conf'; run 'cat /srv/conf/app.conf; ls /srv/conf/sub' }")

        then:
        out.toString() == 'mine\n'
    }

    def "a volume with something in it is mounted as it is; an empty image directory still gives its owner and mode"() {
        given:
        Path data = engine.volumes().create('other')
        Files.writeString(data.resolve('only'), '1\n')

        when:
        eval("container('seeded:1') { volume 'other', '/srv/conf'; volume 'db', '/var/lib/db'; run 'ls -A /srv/conf; ls -A /var/lib/db; echo end' }")
        Path db = engine.volumes().path('db')

        then:
        out.toString() == 'only\nend\n'
        !Files.exists(data.resolve('app.conf'))
        attr(db, 'uid') == 999
        ((attr(db, "mode") as int) & 07777) == 0700
    }

    def "the anonymous volume of an image VOLUME, and an anonymous volume asked for, start with the image's files"() {
        when:
        Container c = eval("container('seeded:1') { keep true; volume '/srv/conf'; run 'cat /data/seed /srv/conf/app.conf' }")

        then:
        c.exitCode == 0
        out.toString() == 'seed\ndefault\n'
        engine.volumes().list().size() == 2

        when:
        c.rm()

        then: 'they go with the container'
        engine.volumes().list().isEmpty()
    }

    def "a volume over a path that is not a directory in the image, or missing, stays empty"() {
        when:
        eval("container('seeded:1') { volume 'f', '/srv/conf/app.conf/x'; run 'true' }")

        then:
        thrown(Exception)
        !engine.volumes().exists('f') || Files.list(engine.volumes().path('f')).withCloseable { it.count() } == 0

        when:
        eval("container('seeded:1') { volume 'new', '/nowhere'; run 'ls -A /nowhere; echo end' }")

        then:
        out.toString() == 'end\n'
        Files.list(engine.volumes().path('new')).withCloseable { it.count() } == 0
    }
}

package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * {@code cgroovy lock FILE}: the recipe's images pinned without running it — the images its containers
 * name and the base images of its builds (image { from } and a Dockerfile's FROM), not the images it
 * makes itself; {@code lock --update} moves the pins; {@code cgroovy run} then builds from the locked
 * base even after its tag moved. Real store, real builds and containers (root).
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(400)
class LockCommandSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('lockcmd')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String digestA
    @Shared String digestB
    @Shared String digestC

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()
    Path dir
    Path recipe
    Path lockFile

    def setupSpec() {
        engine.images().ensureDefaultBusybox()   // what a session adds on first use, so the image list compares like with like
        digestA = fixture.importImage('base:a', ['/id': 'A'])
        digestB = fixture.importImage('base:b', ['/id': 'B'])
        digestC = fixture.importImage('tool:1', ['/id': 'C'])
    }

    def setup() {
        engine.images().tag('base:a', 'base:1')
        engine.images().tag('base:a', 'base:2')
        dir = Files.createTempDirectory(tmp, 'r')
        recipe = dir.resolve('env.cgroovy')
        lockFile = dir.resolve('env.cgroovy.lock')
    }

    // each feature removes its containers before the cgroup leak check that follows it
    def cleanup() { fixture.removeContainers() }

    private int cgroovy(String verb, String... words) {
        out.reset(); err.reset()
        Session session = fixture.session(out, err)
        RecipeCommand.run(verb, (words as List) + [recipe.toString()], session, new PrintStream(out, true), new PrintStream(err, true))
    }

    private Map<String, String> pins() { RecipeLock.forRecipe(recipe, false).pins }

    def "lock pins what containers run and builds start from, runs nothing, makes nothing; run builds from the pinned base after the tag moved"() {
        given: 'a recipe with a tool container, a step build, a Dockerfile build and a detached service'
        Files.writeString(dir.resolve('Dockerfile'), 'FROM base:2 AS first\nRUN cat /id > /first\nFROM first\nRUN cat /first > /second\n')
        Files.writeString(recipe, """
            container('tool:1') { run 'cat /id; echo' }
            web = image('web:1') { from 'base:1'; run 'cat /id > /built' }
            build '${dir}', tag: 'df:1'
            container('web:1') { run 'cat /built; echo' }
            container('df:1') { run 'cat /second; echo' }
            svc = container('tool:1') { name 'svc'; detach(); run 'sleep 300' }
            svc.rm(force: true)
            """.stripIndent())
        def imagesBefore = engine.images().list()*.id() as Set

        when:
        int status = cgroovy('lock')

        then: 'the three images from outside are pinned, the two the recipe builds are not'
        status == 0
        err.toString() == ''
        pins() == ['base:1': digestA, 'base:2': digestA, 'tool:1': digestC]
        out.toString().readLines()[0] == "${lockFile}: 3 images pinned".toString()
        out.toString().contains("  base:1  ${digestA}")
        Files.readString(lockFile).contains('"base:1" : "' + digestA + '"')

        and: 'nothing ran and nothing was made: no container, no image'
        engine.ps(true).isEmpty()
        engine.keptContainers().isEmpty()
        (engine.images().list()*.id() as Set) == imagesBefore

        when: 'both base tags move to image B; the recipe runs with its lock'
        engine.images().tag('base:b', 'base:1')
        engine.images().tag('base:b', 'base:2')
        status = cgroovy('run')

        then: 'the builds started from the locked image A; the lock is as it was'
        status == 0
        out.toString().readLines().findAll { it in ['A', 'B', 'C'] } == ['C', 'A', 'A']
        pins() == ['base:1': digestA, 'base:2': digestA, 'tool:1': digestC]

        when: 'lock again: the pins stay'
        status = cgroovy('lock')

        then:
        status == 0
        pins() == ['base:1': digestA, 'base:2': digestA, 'tool:1': digestC]

        when: 'lock --update moves them to what the tags name now, and the run builds from B'
        status = cgroovy('lock', '--update')
        int ran = cgroovy('run')

        then:
        status == 0
        pins() == ['base:1': digestB, 'base:2': digestB, 'tool:1': digestC]
        ran == 0
        out.toString().readLines().findAll { it in ['A', 'B', 'C'] } == ['C', 'B', 'B']
    }

    def "an image the recipe commits is what its next container runs, on the first run and with a lock on later ones"() {
        given:
        Files.writeString(recipe, '''
            params { msg 'one' }
            b = container('base:1') { keep true; env MSG: msg; run 'echo "$MSG" > /msg' }
            b.commit('site:1')
            b.rm()
            container('site:1') { run 'cat /msg' }
            '''.stripIndent())

        expect:
        cgroovy('run') == 0
        out.toString().trim() == 'one'
        pins() == ['base:1': digestA]

        and: 'the second run commits a new site:1 and runs it, not the one the first run made'
        cgroovy('run', '-p', 'msg=two') == 0
        out.toString().trim() == 'two'
        pins() == ['base:1': digestA]

        and: 'cgroovy lock of it pins the base only and commits nothing'
        Files.delete(lockFile)
        cgroovy('lock') == 0
        pins() == ['base:1': digestA]
        engine.keptContainers().isEmpty()
    }

    def "lock: usage and a recipe error name what is wrong"() {
        given:
        Files.writeString(recipe, "container('localhost:1/nosuch:1') { run 'true' }\n")

        expect:
        cgroovy('lock', '--bogus') == 2
        err.toString().startsWith("cgroovy lock: unknown option '--bogus'")

        and:
        cgroovy('lock') == 1
        err.toString().readLines().last() ==~ /\Q${recipe}\E:1: container\('localhost:1\/nosuch:1'\): .*no such image.*/
        !Files.exists(lockFile) || pins().isEmpty()
    }
}

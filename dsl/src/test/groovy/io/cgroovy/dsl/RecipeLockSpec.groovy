package io.cgroovy.dsl

import io.cgroovy.image.LocalRegistry
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * env.cgroovy.lock: the first run pins each image to its digest, later runs use that digest even
 * after the tag moved to another image, --update-lock moves the pins, a pinned image that cannot be
 * had is a clear error. Real containers (root), a real store with two images built by tar.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class RecipeLockSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('lock')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String digestA
    @Shared String digestB

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()
    Path recipe
    Path lockFile

    def setupSpec() {
        digestA = fixture.importImage('app:a', ['/id': 'A'])
        digestB = fixture.importImage('app:b', ['/id': 'B'])
    }

    def setup() {
        engine.images().tag('app:a', 'app:1')
        recipe = Files.createTempDirectory(tmp, 'r').resolve('env.cgroovy')
        lockFile = recipe.resolveSibling('env.cgroovy.lock')
        Files.writeString(recipe, "c = container('app:1') { run 'cat /id' }\nprintln c.image\n")
    }

    private int run(boolean update = false) {
        out.reset(); err.reset()
        Recipe.run(recipe, new RecipeOptions(file: recipe.toString(), updateLock: update), fixture.session(out, err), new PrintStream(err, true))
    }

    def "the first run writes the lock; after the tag moves, the locked image still runs"() {
        when: 'first run: app:1 is image A'
        int status = run()

        then:
        status == 0
        out.toString() == 'A'
        err.toString() == ''
        Files.readString(lockFile) == """{
  "images" : {
    "app:1" : "${digestA}"
  },
  "lockVersion" : 1
}
"""

        when: 'the tag moves to image B'
        engine.images().tag('app:b', 'app:1')
        String before = Files.readString(lockFile)
        status = run()

        then: 'the lock wins, and is left as it was'
        status == 0
        out.toString() == 'A'
        Files.readString(lockFile) == before

        when: '--update-lock pins the current image'
        status = run(true)

        then:
        status == 0
        out.toString() == 'B'
        Files.readString(lockFile).contains(digestB)
        !Files.readString(lockFile).contains(digestA)
    }

    // (the registry feature is last: it removes image A from the store)

    def "a locked image that is not in the store is a clear error, and nothing runs"() {
        given: 'a lock pinning app:1 to an image the store does not have'
        String missing = 'sha256:' + '0' * 64
        Files.writeString(lockFile, """{"images": {"app:1": "${missing}"}, "lockVersion": 1}""")

        expect:
        run() == 1
        out.toString() == ''
        // not in the store, so a pull by digest is tried (as docker run does); it fails, and the line says so
        err.toString().readLines().last() ==~ /\Q${recipe}\E:1: image 'app:1' is locked to \Q${missing}\E \(env.cgroovy.lock\), which could not be pulled: .+; --update-lock pins the current one/
    }

    def "a lock that is not JSON is named, not overwritten"() {
        given:
        Files.writeString(lockFile, 'garbage')

        expect:
        run() == 1
        err.toString().trim().startsWith("${recipe}: ${lockFile}: not a lock file")
        Files.readString(lockFile) == 'garbage'
    }

    def "with a local registry: the tag moves there, the lock still pulls and runs the pinned digest"() {
        given: 'a real docker-registry on 127.0.0.1 with app:1 = image A'
        LocalRegistry registry = null
        Session pusher = fixture.session(new ByteArrayOutputStream(), new ByteArrayOutputStream())

        when:
        registry = LocalRegistry.start(Files.createTempDirectory(tmp, 'registry'))
        String remote = "${registry.host}/app:1"
        pusher.push('app:a', remote, [:])
        Files.writeString(recipe, "c = container('${remote}') { run 'cat /id' }\n")
        int first = run()
        String firstOut = out.toString()
        String lock = Files.readString(lockFile)

        and: 'the tag moves to image B in the registry, and the store forgets it'
        pusher.push('app:b', remote, [:])
        engine.images().remove(remote)
        int second = run()
        String secondOut = out.toString()

        and: 'the pinned image is gone from the store too: the lock pulls it by digest'
        engine.images().remove(engine.images().inspect('app:a').id())
        int third = run()
        String thirdOut = out.toString()

        and: '--update-lock pulls what the tag names now'
        forget(remote)
        int updated = run(true)

        then:
        first == 0 && firstOut == 'A'
        lock.contains("\"${remote}\" : \"${digestA}\"")
        second == 0 && secondOut == 'A'
        third == 0 && thirdOut == 'A'
        updated == 0 && out.toString() == 'B'
        Files.readString(lockFile).contains(digestB)

        cleanup:
        registry?.close()
    }

    private void forget(String ref) {
        try {
            engine.images().remove(ref)
        } catch (io.cgroovy.image.ImageException ignored) {
            // not tagged here
        }
    }
}

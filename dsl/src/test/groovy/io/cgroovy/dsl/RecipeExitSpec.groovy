package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** A recipe's exit status with real containers: the last foreground container's, unless `exit N` says otherwise. */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class RecipeExitSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('exit')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    def "#recipe exits #status"() {
        given:
        Path file = Files.createTempDirectory(tmp, 'r').resolve('exit.cgroovy')
        Files.writeString(file, recipe)
        Session session = Session.using(engine)
        session.detachStdin(new ByteArrayOutputStream(), new ByteArrayOutputStream())
        ByteArrayOutputStream err = new ByteArrayOutputStream()

        expect:
        Recipe.run(file, [], session, new PrintStream(err, true)) == status
        err.toString() == ''

        where:
        recipe                                                                                   | status
        "container('busybox') { run 'exit 7' }"                                                  | 7
        "container('busybox') { run 'exit 7' }\ncontainer('busybox') { run 'true' }"             | 0
        "container('busybox') { run 'true' }\ncontainer('busybox') { memory '8m'; run 'exit 9' }" | 9
        "c = container('busybox') { run 'exit 7' }\nexit c.exitCode + 1"                          | 8
        "container('busybox') { run 'exit 7' }\nexit 0"                                          | 0
    }
}

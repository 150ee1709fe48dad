package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * cgroovy plan / up / down on real detached containers (root): plan changes nothing, up creates
 * what is missing, a second up does nothing, a changed setting replaces only that container, down
 * leaves nothing behind. One recipe, its own state root and cgroup parent; steps in order.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Stepwise
@Timeout(300)
class EnvironmentSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('env')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared Path recipe
    @Shared Map<String, String> ids = [:]

    static final String RECIPE = '''params { greeting 'hello' }
// a service that stops at once on SIGTERM
def service(String n, Map e) {
    container('busybox') {
        name n
        env e
        labels tier: 'test'
        run 'trap "exit 0" TERM; sleep 3600 & wait'
    }
}
service('web', [GREETING: greeting])
service('db', [DB: 'yes'])
'''

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def setupSpec() {
        recipe = tmp.resolve('env.cgroovy')
        Files.writeString(recipe, RECIPE)
    }

    private int cgroovy(String verb, String... words) {
        out.reset(); err.reset()
        Session session = Session.using(engine)
        RecipeCommand.run(verb, (words as List) + [recipe.toString()], session, new PrintStream(out, true), new PrintStream(err, true))
    }

    private Map<String, String> running() {
        engine.ps(false).collectEntries { ContainerInfo i -> [(i.name()): i.id()] }
    }

    def "plan on an empty engine: everything to create, and nothing is created"() {
        expect:
        cgroovy('plan') == 0
        err.toString() == ''
        out.toString() == '+ container web\n+ container db\n2 to create\n'
        engine.ps(true).isEmpty()
        !Files.exists(tmp.resolve('env.cgroovy.lock'))
    }

    def "up creates both, labelled with the recipe and their settings hash"() {
        when:
        int status = cgroovy('up')
        ids = running()

        then:
        status == 0
        err.toString() == ''
        out.toString() == '+ container web: created\n+ container db: created\n2 to create\n'
        ids.keySet() == ['web', 'db'] as Set
        engine.inspect('web').labels()['io.cgroovy.recipe'] == recipe.toAbsolutePath().toString()
        engine.inspect('web').labels()['io.cgroovy.recipe.hash'] ==~ /sha256:[0-9a-f]{64}/
        engine.inspect('web').labels()['tier'] == 'test'
        Files.exists(tmp.resolve('env.cgroovy.lock'))
    }

    def "up twice: the second does nothing"() {
        expect:
        cgroovy('up') == 0
        err.toString() == ''
        out.toString() == '2 unchanged\n'
        running() == ids
    }

    def "a changed setting: plan shows it and changes nothing, up replaces only that container"() {
        when:
        int planned = cgroovy('plan', '-p', 'greeting=bonjour')
        String plan = out.toString()
        Map<String, String> afterPlan = running()
        int status = cgroovy('up', '-p', 'greeting=bonjour')
        Map<String, String> now = running()

        then:
        planned == 0
        plan == '~ container web (settings changed)\n= container db\n1 to replace, 1 unchanged\n'
        afterPlan == ids
        status == 0
        out.toString() == '~ container web: replaced (settings changed)\n1 to replace, 1 unchanged\n'
        now.keySet() == ['web', 'db'] as Set
        now.db == ids.db
        now.web != ids.web
        engine.ps(true).size() == 2
    }

    def "a container of the same name not made by the recipe is not taken over"() {
        given:
        Path other = tmp.resolve('other.cgroovy')
        Files.writeString(other, "container('busybox') { name 'db'; run 'sleep 1' }\n")

        when:
        out.reset(); err.reset()
        int status = RecipeCommand.run('up', [other.toString()], Session.using(engine), new PrintStream(out, true), new PrintStream(err, true))

        then:
        status == 1
        err.toString() == "cgroovy up: ${other}: container db exists and was not made by this recipe (but by ${recipe.toAbsolutePath()}); remove it or rename it in the recipe\n"
        engine.ps(true).size() == 2
    }

    def "down removes what the recipe made and leaves nothing behind"() {
        expect:
        cgroovy('down') == 0
        err.toString() == ''
        out.toString() == '- container db: removed\n- container web: removed\n2 removed\n'
        engine.ps(true).isEmpty()
        Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0

        and: 'a second down has nothing to do'
        cgroovy('down') == 0
        out.toString() == 'nothing to do\n'
    }
}

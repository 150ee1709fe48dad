package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** prune(): stopped containers and dangling images go; running containers and tagged images stay (root). */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class PruneSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('prune')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    def setupSpec() {
        engine.images().ensureDefaultBusybox()
    }

    // each feature removes its containers (and so their cgroups) before the leak check that follows it
    def cleanup() {
        engine.ps(true).each { engine.remove(it.id(), true) }
    }

    def "prune removes what nothing uses and keeps the rest"() {
        given:
        String exited = engine.runDetached(new ContainerSettings('busybox', 'done', ['true'], [:], null, null, null, null), DetachOptions.DEFAULT).id()
        engine.waitFor(exited)
        String running = engine.runDetached(new ContainerSettings('busybox', 'up', ['sleep', '600'], [:], null, null, null, null), DetachOptions.DEFAULT).id()
        String dangling = engine.images().importOciLayout(TestImages.layout(tmp.resolve('d'), ['/x': 'x']), null)[0].id()
        Session session = Session.using(engine)

        when:
        Pruned p = new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable { it.eval('prune()') } as Pruned

        then:
        p.containers == [exited]
        p.images == [dangling]
        p.toString() == "Deleted Containers:\n${exited}\nDeleted Images:\ndeleted: ${dangling}"
        engine.ps(true)*.id() == [running]
        engine.images().list()*.tags().flatten().contains('docker.io/library/busybox:latest') || engine.images().list().size() == 1

        when: 'nothing is left to prune'
        Pruned again = new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable { it.eval('prune()') } as Pruned

        then:
        again.toString() == 'Nothing to prune'
    }
}

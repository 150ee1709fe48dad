package io.cgroovy.dsl

import io.cgroovy.dsl.env.Owned
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * Networks and volumes as things of an up recipe (root, real engine): {@code network('n') { ... }}
 * and {@code volume 'v'} are created by up, kept when unchanged, replaced when changed (with the
 * containers on the network), removed by down (volumes only with --volumes); a network or volume
 * the recipe did not make is used, never removed. Each feature has its own state root and cgroup parent.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class EnvironmentResourcesSpec extends Specification {
    // a new engine for each feature: its networks, volumes and ownership records start empty
    @AutoCleanup TestEngine fixture = new TestEngine('envres')
    Engine engine = fixture.engine
    Path tmp = fixture.tmp
    Path recipe = tmp.resolve('env.cgroovy')
    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    private int cgroovy(String verb, String... words) {
        out.reset(); err.reset()
        RecipeCommand.run(verb, (words as List) + [recipe.toString()], Session.using(engine), new PrintStream(out, true), new PrintStream(err, true))
    }

    private Map<String, String> containers() { engine.ps(true).collectEntries { ContainerInfo i -> [(i.name()): i.id()] } }

    def "volume 'data': plan makes nothing, up makes it once, down keeps it, down --volumes removes it; a volume made by hand stays"() {
        given:
        engine.volumes().create('mine')
        Files.writeString(recipe, '''
            volume 'data'
            volume 'mine'      // exists already, made by someone else: used, never removed
            container('busybox') { name 'store'; volume 'data', '/data'; run 'trap "exit 0" TERM; echo hi > /data/f; sleep 3600 & wait' }
            ''')

        expect: 'plan lists it and changes nothing'
        cgroovy('plan') == 0
        out.toString() == '+ volume data\n+ container store\n2 to create\n'
        engine.volumes().list() == ['mine']
        engine.ps(true).isEmpty()

        and: 'up makes the volume before the container that uses it'
        cgroovy('up') == 0
        err.toString() == ''
        out.toString() == '+ volume data: created\n+ container store: created\n2 to create\n'
        engine.volumes().list() == ['data', 'mine']

        and: 'up twice: nothing'
        cgroovy('up') == 0
        out.toString() == '2 unchanged\n'

        and: 'down keeps volumes (docker compose down)'
        cgroovy('down') == 0
        out.toString() == '- container store: removed\n1 removed\n'
        engine.volumes().list() == ['data', 'mine']
        Files.readString(engine.volumes().path('data').resolve('f')) == 'hi\n'

        and: 'down --volumes removes the recipe\'s volume, not the one made by hand, and its record'
        cgroovy('down', '--volumes') == 0
        out.toString() == '- volume data: removed\n1 removed\n'
        engine.volumes().list() == ['mine']
        !Files.exists(Owned.file(engine.root(), RecipeEnv.id(recipe)))
        cgroovy('down', '--volumes') == 0
        out.toString() == 'nothing to do\n'
    }

    def "a recipe's network has no side effect in plan; a network made outside the recipe is used as it is"() {
        given:
        Files.writeString(recipe, "network('planned-net') { internal true }\nnetwork('envres-ext')\n")
        engine.networks().ensure(new io.cgroovy.runtime.net.NetworkSettings('envres-ext', null, null, null, null, false))

        expect:
        cgroovy('plan') == 0
        err.toString() == ''
        out.toString() == '+ network planned-net\n1 to create\n'
        engine.networks().list()*.name == ['envres-ext']
    }

    @Requires(value = { TestImages.firewallWorks() }, reason = 'needs nftables or iptables-legacy in the kernel for bridge networks')
    def "network('n') { subnet }: up makes it, a new subnet replaces it and only the containers on it, down removes it"() {
        given:
        String net = 'envres-' + UUID.randomUUID().toString().substring(0, 6)
        def rnd = new Random()
        String first = "10.${100 + rnd.nextInt(100)}.${rnd.nextInt(256)}.0/24"
        String second = first.replaceFirst(/^10\.(\d+)\./) { all, b -> "10.${(b as int) + 1}." }
        Files.writeString(recipe, """params { subnet '${first}' }
            network('${net}') { subnet subnet }
            container('busybox') { name 'on'; network '${net}'; run 'trap "exit 0" TERM; sleep 3600 & wait' }
            container('busybox') { name 'off'; run 'trap "exit 0" TERM; sleep 3600 & wait' }
            """)

        expect:
        cgroovy('up') == 0
        err.toString() == ''
        out.toString() == "+ network ${net}: created\n+ container on: created\n+ container off: created\n3 to create\n"
        engine.networks().get(net).subnet == first
        cgroovy('up') == 0
        out.toString() == '3 unchanged\n'

        when:
        Map<String, String> before = containers()
        int planned = cgroovy('plan', '-p', "subnet=${second}")
        String plan = out.toString()
        int status = cgroovy('up', '-p', "subnet=${second}")
        Map<String, String> after = containers()

        then:
        planned == 0
        plan == "~ network ${net} (settings changed)\n~ container on (settings changed)\n= container off\n2 to replace, 1 unchanged\n"
        status == 0
        err.toString() == ''
        out.toString() == "~ network ${net}: replaced (settings changed)\n~ container on: replaced (settings changed)\n2 to replace, 1 unchanged\n"
        engine.networks().get(net).subnet == second
        after.off == before.off
        after.on != before.on
        engine.addresses(after.on)[0].startsWith(second.replace('0/24', ''))

        when:
        int down = cgroovy('down')

        then:
        down == 0
        out.toString() == "- container off: removed\n- container on: removed\n- network ${net}: removed\n3 removed\n"
        engine.networks().list().findAll { it.name != 'bridge' } == []
        engine.ps(true).isEmpty()
    }
}

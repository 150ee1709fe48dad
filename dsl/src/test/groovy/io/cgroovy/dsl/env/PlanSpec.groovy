package io.cgroovy.dsl.env

import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.cgroup.Resources
import spock.lang.Specification

import static io.cgroovy.dsl.env.Resource.Kind.CONTAINER
import static io.cgroovy.dsl.env.Resource.Kind.NETWORK
import static io.cgroovy.dsl.env.Resource.Kind.VOLUME

/** up/down/plan decisions from wanted vs existing things: pure data, no engine. */
class PlanSpec extends Specification {
    static final String RECIPE = '/srv/env.cgroovy'

    static ContainerSettings web(Map<String, String> env = [PORT: '80'], Long memory = 64L << 20) {
        new ContainerSettings('busybox@sha256:' + 'a' * 64, 'web', ['httpd', '-f'], env, null, null, null,
                new Resources(memory, null, null, null, null))
    }

    static Resource want(Resource.Kind k, String name, Object settings) { Resource.wanted(k, name, settings) }

    /** What the engine would have after an up of {@code wanted}. */
    static List<Resource> madeFrom(List<Resource> wanted, String recipe = RECIPE) {
        wanted.collect { Resource.existing(it.kind, it.name, it.hash, recipe, true) }
    }

    def "the hash ignores map order and unset values, and sees every setting"() {
        expect:
        SettingsHash.of(web([A: '1', B: '2'])) == SettingsHash.of(web(new LinkedHashMap([B: '2', A: '1'])))
        SettingsHash.of(web()) != SettingsHash.of(web([PORT: '81']))
        SettingsHash.of(web()) != SettingsHash.of(web([PORT: '80'], 128L << 20))
        SettingsHash.of(web()) ==~ /sha256:[0-9a-f]{64}/
        SettingsHash.canonical(web()).subMap(['command', 'env', 'image', 'name', 'resources', 'labels', 'entrypoint', 'hostname']) ==
                [command: ['httpd', '-f'], env: [PORT: '80'], image: 'busybox@sha256:' + 'a' * 64, name: 'web', resources: [memoryBytes: 64L << 20]]
    }

    def "a first up creates everything, networks and volumes before containers"() {
        given:
        List<Resource> wanted = [want(CONTAINER, 'web', web()), want(NETWORK, 'appnet', [subnet: null]), want(VOLUME, 'data', [:])]

        when:
        Plan p = Plan.up(RECIPE, wanted, [])

        then:
        p.actions*.toString() == ['+ network appnet', '+ volume data', '+ container web']
        p.summary() == '3 to create'
        !p.empty
    }

    def "up twice: the second plan does nothing"() {
        given:
        List<Resource> wanted = [want(NETWORK, 'appnet', [:]), want(CONTAINER, 'web', web()), want(CONTAINER, 'db', web([DB: '1']))]

        when:
        Plan p = Plan.up(RECIPE, wanted, madeFrom(wanted))

        then:
        p.empty
        p.actions*.op.unique() == [Plan.Op.KEEP]
        p.toString().readLines().last() == '3 unchanged'
    }

    def "a changed setting replaces only that container"() {
        given:
        List<Resource> before = [want(CONTAINER, 'web', web()), want(CONTAINER, 'db', web([DB: '1']))]
        List<Resource> after = [want(CONTAINER, 'web', web([PORT: '8080'])), want(CONTAINER, 'db', web([DB: '1']))]

        when:
        Plan p = Plan.up(RECIPE, after, madeFrom(before))

        then:
        p.actions*.toString() == ['~ container web (settings changed)', '= container db']
        p.summary() == '1 to replace, 1 unchanged'
    }

    def "a stopped container with the same settings is started, not replaced"() {
        given:
        Resource w = want(CONTAINER, 'web', web())

        expect:
        Plan.up(RECIPE, [w], [Resource.existing(CONTAINER, 'web', w.hash, RECIPE, false)]).actions*.toString() == ['> container web (not running)']
    }

    def "what the recipe made and no longer names is removed; its volumes are kept"() {
        given:
        List<Resource> before = [want(NETWORK, 'old', [:]), want(VOLUME, 'data', [:]), want(CONTAINER, 'web', web()), want(CONTAINER, 'gone', web())]

        expect:
        Plan.up(RECIPE, [want(CONTAINER, 'web', web())], madeFrom(before)).actions*.toString() ==
                ['- container gone (no longer in the recipe)', '= container web', '- network old (no longer in the recipe)']
    }

    def "a name taken by something else is an error, never a takeover"() {
        when:
        Plan.up(RECIPE, [want(CONTAINER, 'web', web())], [Resource.existing(CONTAINER, 'web', 'sha256:x', other, true)])

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        where:
        other               | message
        null                | 'container web exists and was not made by this recipe; remove it or rename it in the recipe'
        '/other.cgroovy'    | 'container web exists and was not made by this recipe (but by /other.cgroovy); remove it or rename it in the recipe'
    }

    def "down removes what this recipe made, containers first; volumes only when asked; others' things stay"() {
        given:
        List<Resource> have = madeFrom([want(VOLUME, 'data', [:]), want(NETWORK, 'appnet', [:]), want(CONTAINER, 'web', web())]) +
                madeFrom([want(CONTAINER, 'theirs', web())], '/other.cgroovy')

        expect:
        Plan.down(RECIPE, have, false).actions*.toString() == ['- container web', '- network appnet']
        Plan.down(RECIPE, have, true).actions*.toString() == ['- container web', '- network appnet', '- volume data']
        Plan.down(RECIPE, [], true).summary() == 'nothing to do'
    }
}

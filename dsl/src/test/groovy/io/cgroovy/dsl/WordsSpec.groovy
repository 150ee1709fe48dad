package io.cgroovy.dsl

import spock.lang.Specification

/** The catalogue of words: read from the annotations, complete, and usable for help and did-you-mean. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class WordsSpec extends Specification {

    def "every public DSL method of a closure or the script is a documented word"() {
        given: 'the methods a user can call (Groovy and Object plumbing left out)'
        Set<String> plumbing = (Script.methods*.name + GroovyObject.methods*.name + Object.methods*.name +
                ['methodMissing', 'propertyMissing', 'apply', 'setScript', 'settings', 'imageRef', 'cgroovySession',
                 'getStartRequested', 'setStartRequested', 'isStartRequested', 'detachOptions', 'isDetached']) as Set
        List<String> undocumented = [CgroovyScript, ContainerSpec].collectMany { Class c ->
            c.declaredMethods.findAll { java.lang.reflect.Modifier.isPublic(it.modifiers) && !it.synthetic && !(it.name in plumbing) && !it.name.contains('$') && it.getAnnotation(Word) == null }
                    .findAll { m -> !c.declaredMethods.any { it.name == m.name && it.getAnnotation(Word) } }
                    .collect { "${c.simpleName}.${it.name}" }
        }.unique()

        expect:
        undocumented == []
    }

    def "the scopes and their words"() {
        expect:
        Words.scopes().take(2) == ['top', 'container']
        Words.names('top').containsAll(['container', 'images', 'load', 'rmi', 'tag', 'exit'])
        Words.names('container').containsAll(['memory', 'memorySwap', 'cpus', 'cpuShares', 'pids', 'env', 'hostname',
                                              'workdir', 'user', 'name', 'run', 'cmd'])
        Words.names('Container').containsAll(['id', 'name', 'exitCode', 'oomKilled', 'shortId'])
        ContainerSpec.WORDS == Words.names('container')
        CgroovyScript.WORDS == Words.names('top')
    }

    def "one word's help has its usage, doc and example"() {
        when:
        String h = Words.help('memory')

        then:
        h.contains('memory SIZE')
        h.contains('(container)')
        h.contains("e.g. memory '512m'")
        Words.find('container', 'memory').doc.startsWith('Memory limit')
    }

    def "help for a word nobody knows suggests the closest one"() {
        expect:
        Words.help('memroy') == "no word 'memroy' — did you mean 'memory'?"
        Words.didYouMean('memroy', 'container') == " — did you mean 'memory'?"
        Words.didYouMean('contaner', 'top') == " — did you mean 'container'?"
    }

    def "the whole help lists every scope"() {
        when:
        String h = Words.help()

        then:
        h.startsWith('top level:')
        h.contains('\ncontainer:\n')
        h.readLines().find { it.trim().startsWith('memory SIZE') }
    }
}

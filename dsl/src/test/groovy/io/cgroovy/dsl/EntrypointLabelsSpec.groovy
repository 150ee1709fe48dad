package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerSettings
import spock.lang.Specification
import spock.lang.Unroll

import static io.cgroovy.dsl.ContainerWords.spec

/** The words image, entrypoint and labels, without an engine. */
class EntrypointLabelsSpec extends Specification {

    def "entrypoint: one string is one program, several are the argv, '' is none, unset is the image's"() {
        expect:
        spec { entrypoint '/bin/echo' }.settings('busybox').entrypoint() == ['/bin/echo']
        spec { entrypoint '/bin/sh', '-c' }.settings('busybox').entrypoint() == ['/bin/sh', '-c']
        spec { entrypoint(['env']) }.settings('busybox').entrypoint() == ['env']
        spec { entrypoint '' }.settings('busybox').entrypoint() == []
        spec {}.settings('busybox').entrypoint() == null
    }

    def "labels are kept as strings; cgroovy's own are added by it only"() {
        when:
        ContainerSettings s = spec { labels app: 'web', n: 1; labels tier: 'front' }.settings('busybox', ['io.cgroovy.recipe': '/r'])

        then:
        s.labels() == [app: 'web', n: '1', tier: 'front', 'io.cgroovy.recipe': '/r']
        spec {}.settings('busybox').labels() == [:]
    }

    @Unroll
    def "#what: #message"() {
        when:
        spec(body).settings(null)

        then:
        DslException e = thrown()
        e.message == message

        where:
        what               | body                                       || message
        'reserved label'   | { image 'busybox'; labels 'io.cgroovy.x': 1 } || "labels 'io.cgroovy.x': io.cgroovy.* labels are cgroovy's own"
        'label with ='     | { image 'busybox'; labels 'a=b': 1 }       || "labels 'a=b': not a label key (no '=' or spaces)"
        'null label'       | { image 'busybox'; labels a: null }        || "labels 'a': no value (use '' for an empty one)"
        'no image'         | { memory '64m' }                           || "container: no image given (container('busybox') { ... } or image 'busybox' inside)"
        'empty entrypoint program' | { image 'busybox'; entrypoint ' ', 'x' } || 'entrypoint: empty program name'
    }

    def "image inside the closure is the image when container() was given none"() {
        expect:
        spec { image 'busybox:1' }.imageRef(null) == 'busybox:1'
        spec { image 'busybox:1' }.settings(null).image() == 'busybox:1'
        spec {}.imageRef('busybox') == 'busybox'
        spec { image 'busybox' }.imageRef('busybox') == 'busybox'
    }
}

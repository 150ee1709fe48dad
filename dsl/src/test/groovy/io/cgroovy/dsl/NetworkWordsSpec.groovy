package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.Networking
import spock.lang.Specification

import static io.cgroovy.dsl.ContainerWords.error
import static io.cgroovy.dsl.ContainerWords.settings

/** The networking words of a container closure and of network(NAME) { ... }, without an engine. */
@spock.lang.Tag('kernel-agnostic')
class NetworkWordsSpec extends Specification {
    def "network bridge, none, host and names; several networks; aliases; ports"() {
        expect:
        settings { run 'true' }.network() == Networking.NONE
        settings { network none }.network() == Networking.NONE
        settings { network host }.network() == Networking.HOST
        settings { network bridge }.network().networks()*.network() == ['bridge']

        when:
        def n = settings {
            network 'front'; network 'back', aliases: ['db']; alias 'store'
            publish 8080; publish '127.0.0.1:18080:80'; publish '8053:53/udp'
        }.network()

        then:
        n.mode() == Networking.Mode.NETWORKS
        n.networks()*.network() == ['front', 'back']
        n.networks()*.aliases() == [['store'], ['db', 'store']]
        n.ports()*.toString() == ['0.0.0.0:0->8080/tcp', '127.0.0.1:18080->80/tcp', '0.0.0.0:8053->53/udp']
    }

    def "publish without a network uses the default bridge, as docker run -p does"() {
        expect:
        settings { publish 80 }.network().networks()*.network() == ['bridge']
    }

    def "mistakes are one-line errors naming the word"() {
        expect:
        error { network none; network 'x' } == 'network none cannot be combined with other networks'
        error { network host; publish 80 } == 'publish needs a bridge network (the container has network host)'
        error { publish '99999' } == "publish '99999': invalid port '99999': '99999' is not a port number (1-65535)"
        error { publish '1.2.3:80:80' } == "publish '1.2.3:80:80': invalid host address in port '1.2.3:80:80': '1.2.3' is not an IPv4 address"
        error { publish '80/sctp' } == "publish '80/sctp': invalid port '80/sctp': protocol must be tcp or udp"
        error { network 'bad name' } =~ /^invalid network name 'bad name'/
        error { network 'a'; network 'a' } == 'network: a network is given twice (a, a)'
        error { network 'x', alias: ['y'] }.startsWith("network 'x': unknown option 'alias'")
    }

    def "network(NAME) { ... } words become NetworkSettings; a misspelt one is named"() {
        given:
        def d = new NetworkDefinition()
        Closure c = { subnet '10.89.0.0/24'; gateway '10.89.0.254'; ipRange '10.89.0.128/25'; mtu 1400; internal true }
        c.delegate = d
        c.resolveStrategy = Closure.DELEGATE_FIRST

        when:
        c.call()
        def s = d.settings('backend')

        then:
        s.subnet() == '10.89.0.0/24'
        s.gateway() == '10.89.0.254'
        s.ipRange() == '10.89.0.128/25'
        s.mtu() == 1400
        s.internal()
        s.validate().toString() == '10.89.0.0/24'

        when:
        Closure bad = { subnett '10.0.0.0/8' }
        bad.delegate = new NetworkDefinition()
        bad.resolveStrategy = Closure.DELEGATE_FIRST
        bad.call()

        then:
        def e = thrown(DslException)
        e.message.startsWith("unknown network setting 'subnett'")
        e.message.contains("subnet")
    }
}

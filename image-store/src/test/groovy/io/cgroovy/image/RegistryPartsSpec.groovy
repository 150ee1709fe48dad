package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** The pieces of the registry client that need no network: references, challenges, credentials, platforms. */
class RegistryPartsSpec extends Specification {
    def "references get Docker's defaults"() {
        expect:
        def r = Reference.parse(ref)
        [r.domain(), r.repository(), r.tag(), r.digest(), r.manifestRef()] == expected

        where:
        ref                                           || expected
        'alpine'                                      || ['docker.io', 'library/alpine', 'latest', null, 'latest']
        'alpine:3.19'                                 || ['docker.io', 'library/alpine', '3.19', null, '3.19']
        'bitnami/redis'                               || ['docker.io', 'bitnami/redis', 'latest', null, 'latest']
        'localhost/app'                               || ['localhost', 'app', 'latest', null, 'latest']
        'registry.example.com:5000/team/app:v1'       || ['registry.example.com:5000', 'team/app', 'v1', null, 'v1']
        "app@sha256:${'a' * 64}"                      || ['docker.io', 'library/app', null, "sha256:${'a' * 64}", "sha256:${'a' * 64}"]
        "h.io/app:1@sha256:${'b' * 64}"               || ['h.io', 'app', '1', "sha256:${'b' * 64}", "sha256:${'b' * 64}"]
    }

    def "malformed references are refused with a line naming the problem"() {
        when:
        Reference.parse(ref)

        then:
        def e = thrown(ImageException)
        e.message == message

        where:
        ref                  || message
        ''                   || 'invalid reference: empty'
        'App'                || "invalid reference 'App': bad name component 'App'"
        'https://h.io/app'   || "invalid reference 'https://h.io/app': a reference has no scheme (write host/name:tag)"
        'app@sha256:abc'     || "invalid reference 'app@sha256:abc': bad digest"
        'app:-bad'           || "invalid reference 'app:-bad': bad tag '-bad'"
        'a//b'               || "invalid reference 'a//b': bad name component ''"
        ' app'               || "invalid reference ' app': leading or trailing spaces"
    }

    def "WWW-Authenticate challenges are parsed with quoted commas"() {
        when:
        def c = AuthChallenge.parse('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"')

        then:
        c.isBearer()
        c.param('realm') == 'https://auth.docker.io/token'
        c.param('service') == 'registry.docker.io'
        c.param('scope') == 'repository:a/b:pull,push'
        AuthChallenge.parse('Basic realm="Registry Realm"').isBasic()
        AuthChallenge.parse(null) == null
    }

    def "plain HTTP is only for loopback hosts (names are not resolved to decide)"() {
        expect:
        RegistryClient.isLoopback(host) == loopback

        where:
        host               || loopback
        '127.0.0.1:5000'   || true
        '127.8.9.10'       || true
        'localhost:5000'   || true
        '[::1]:5000'       || true
        '10.0.0.1:5000'    || false
        'registry.local'   || false
        'docker.io'        || false
    }

    def "config.json: login's entry is read back; Hub uses Docker's legacy key; other keys are kept"() {
        given:
        Path dir = Files.createTempDirectory('cgroovy-dockercfg')
        Files.writeString(dir.resolve('config.json'), '{"credsStore":"none","auths":{"other:1":{"auth":"' + Base64.encoder.encodeToString('o:p'.bytes) + '"}}}')
        def cfg = new DockerConfig(dir)

        when:
        cfg.store('127.0.0.1:5000', new DockerConfig.Credentials('me', 'pw:with:colons'))
        cfg.store('docker.io', new DockerConfig.Credentials('hub', 'secret'))
        def json = Json.MAPPER.readValue(dir.resolve('config.json').toFile(), Map)

        then:
        cfg.lookup('127.0.0.1:5000') == new DockerConfig.Credentials('me', 'pw:with:colons')
        cfg.lookup('docker.io').user() == 'hub'
        json.auths.keySet() == ['other:1', '127.0.0.1:5000', 'https://index.docker.io/v1/'] as Set
        json.credsStore == 'none'
        cfg.lookup('nowhere:1') == null
        !new DockerConfig.Credentials('u', 'secret').toString().contains('secret')

        cleanup:
        TestImages.deleteTree(dir)
    }

    def "platforms: os/arch[/variant], Docker's architecture aliases"() {
        expect:
        Platform.parse('linux/arm64').toString() == 'linux/arm64'
        Platform.parse('linux/aarch64').architecture() == 'arm64'
        Platform.parse('linux/arm/v7').variant() == 'v7'

        when:
        Platform.parse('linux/')

        then:
        thrown(ImageException)
    }
}

package io.cgroovy.image

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

import static io.cgroovy.image.TestImages.message

/**
 * Registries that want credentials: htpasswd (bcrypt, as registry 2.8 requires) with basic auth,
 * and token auth through a token server the spec runs. Credentials live in a temporary
 * DOCKER_CONFIG written by login, never in the real home.
 */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class RegistryAuthSpec extends Specification {
    Path work
    Path root
    Path dockerDir
    LocalRegistry registry
    TokenServer tokens
    RegistryOptions opts

    def setup() {
        work = Files.createTempDirectory('cgroovy-auth')
        root = work.resolve('store')
        dockerDir = work.resolve('docker')
        opts = RegistryOptions.defaults().dockerConfig(dockerDir)
    }

    def cleanup() {
        registry?.close()
        tokens?.close()
        TestImages.deleteTree(work)
    }

    private static void seedWithCreds(Path lay, String dest, String user, String pass) {
        def bb = RegistryImages.busyboxLayer()
        RegistryImages.layout(lay, '1', RegistryImages.image(lay, [bb]))
        TestImages.run('skopeo', '--insecure-policy', 'copy', '-q', '--preserve-digests', '--dest-tls-verify=false',
                '--dest-creds', "$user:$pass".toString(), "oci:$lay:1".toString(), "docker://$dest".toString())
    }

    def "basic auth (htpasswd, bcrypt): login writes config.json, pull and push use it, wrong or no credentials fail on one line"() {
        given:
        Path htpasswd = work.resolve('htpasswd')
        TestImages.run('htpasswd', '-Bbc', htpasswd.toString(), 'alice', 's3cret')
        registry = LocalRegistry.start(work.resolve('registry'), [htpasswd: htpasswd])
        seedWithCreds(work.resolve('seed'), "$registry.host/team/app:1", 'alice', 's3cret')
        def store = ImageStore.open(root)
        def ref = "$registry.host/team/app:1".toString()

        expect: 'without credentials'
        message { store.pull(ref, opts) } == "pull $ref: unauthorized: authentication required (no credentials for $registry.host; use login)".toString()

        and: 'wrong password: login refuses and writes nothing'
        message { ImageStore.login(registry.host, 'alice', 'wrong', opts) } == "login to $registry.host failed: unauthorized (wrong user name or password for alice)".toString()
        !Files.exists(dockerDir.resolve('config.json'))

        when:
        ImageStore.login(registry.host, 'alice', 's3cret', opts)
        def cfg = Json.MAPPER.readValue(dockerDir.resolve('config.json').toFile(), Map)

        then: 'written the way docker login writes it'
        cfg.auths[registry.host].auth == Base64.encoder.encodeToString('alice:s3cret'.bytes)
        TestImages.run('stat', '-c', '%a', dockerDir.resolve('config.json').toString()).trim() == '600'

        when:
        def rec = store.pull(ref, opts)
        def pushed = store.push(ref, "$registry.host/team/copy:2", opts)

        then:
        rec.tags() == [ref]
        pushed == rec.manifestDigest()
        RegistryImages.skopeoDigestWith("$registry.host/team/copy:2", 'alice:s3cret') == pushed

        when: 'config.json holds a wrong password'
        Files.writeString(dockerDir.resolve('config.json'),
                TestImages.json([auths: [(registry.host): [auth: Base64.encoder.encodeToString('alice:nope'.bytes)]]]))

        then:
        message { ImageStore.open(work.resolve('other')).pull(ref, opts) } == "pull $ref: unauthorized: the registry refused the credentials of alice".toString()
    }

    def "token auth: anonymous tokens for public pulls, credentialed tokens for the rest, wrong credentials fail on one line"() {
        given:
        tokens = new TokenServer(work, 'bob', 'hunter2')
        registry = LocalRegistry.start(work.resolve('registry'), tokens.registryAuth)
        seedWithCreds(work.resolve('seed'), "$registry.host/public/base:1", 'bob', 'hunter2')
        seedWithCreds(work.resolve('seed2'), "$registry.host/private/app:1", 'bob', 'hunter2')
        def store = ImageStore.open(root)

        when: 'anonymous pull of a public repository'
        tokens.requests.clear()
        def pub = store.pull("$registry.host/public/base:1", opts)

        then:
        pub.tags() == ["$registry.host/public/base:1".toString()]
        tokens.requests.any { it.contains('scope=repository%3Apublic%2Fbase%3Apull') && it.contains("service=$TokenServer.SERVICE") }

        expect: 'a private repository needs credentials'
        message { store.pull("$registry.host/private/app:1", opts) }.startsWith("pull $registry.host/private/app:1: unauthorized")

        and: 'a wrong password'
        message { ImageStore.login(registry.host, 'bob', 'wrong', opts) } == "login to $registry.host failed: unauthorized (wrong user name or password for bob)".toString()
        !Files.exists(dockerDir.resolve('config.json'))

        when:
        ImageStore.login(registry.host, 'bob', 'hunter2', opts)
        def priv = store.pull("$registry.host/private/app:1", opts)
        def digest = store.push("$registry.host/private/app:1", "$registry.host/private/again:1", opts)

        then:
        priv.manifestDigest() == digest
        RegistryImages.skopeoDigestWith("$registry.host/private/again:1", 'bob:hunter2') == digest
    }
}

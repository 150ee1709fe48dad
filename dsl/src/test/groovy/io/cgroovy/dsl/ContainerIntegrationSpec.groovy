package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** The DSL driving the real engine (root): containers, their handles, image words, recipe status. */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class ContainerIntegrationSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('dsl')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    static boolean isRoot() { ['id', '-u'].execute().text.trim() == '0' }

    def cleanup() {
        // every container was removed when it ended, and no process is left
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.alive }.count() == 0
    }

    private Object eval(String code) { fixture.eval(code, out, err) }

    def "the README's container: every word reaches the container, the handle tells how it ended"() {
        when:
        Container c = eval('''
            container('busybox') {
                memory '64m'; cpus 0.5; pids 64; env FOO: 'bar'; hostname 'box'
                run 'echo hi; echo $FOO; hostname'
            }''')

        then:
        out.toString() == 'hi\nbar\nbox\n'
        c.exitCode == 0
        !c.oomKilled
        c.id ==~ /[0-9a-f]{64}/
        c.name == c.id.substring(0, 12)
        c.settings.resources().memoryBytes() == 64L * 1024 * 1024
        c.toString() == "container ${c.name} (${c.shortId}, busybox) exited 0"
    }

    @spock.lang.Requires(value = { TestImages.firewallWorks() }, reason = 'needs nftables or iptables-legacy in the kernel')
    def "networks: network(NAME) { subnet }, c.ip, the name and alias in /etc/hosts; network none has only lo"() {
        given:
        def subnet = "10.${100 + new Random().nextInt(100)}.${new Random().nextInt(256)}.0/24"

        when:
        Network n = eval("network('dslnet') { subnet '$subnet' }")
        Network again = eval("network('dslnet') { subnet '$subnet' }")
        Container c = eval("container('busybox') { network 'dslnet'; name 'dslbox'; alias 'svc'; run 'cat /etc/hosts' }")
        def hosts = out.toString()
        out.reset()
        Container none = eval("container('busybox') { network none; run 'ls /sys/class/net' }")

        then:
        n.subnet == subnet
        again.bridge == n.bridge
        c.ip.startsWith(subnet.replace('0/24', ''))
        hosts.contains("${c.ip}\t")
        hosts =~ /(?m)^${java.util.regex.Pattern.quote(c.ip)}\t.*\bsvc$/
        none.ip == null
        out.toString() == 'lo\n'
        eval('networks()')*.name == ['dslnet']

        cleanup:
        engine.networks().list().each { engine.networks().remove(it.name) }
    }

    @spock.lang.Requires(value = { TestImages.firewallWorks() }, reason = 'needs nftables or iptables-legacy in the kernel')
    def "c.connect and c.disconnect: a running container joins a second network under an alias, and leaves it"() {
        given:
        def r = new Random()
        int x = 100 + r.nextInt(100), y = r.nextInt(250)
        eval("network('dsla') { subnet '10.${x}.${y}.0/24' }; network('dslb') { subnet '10.${x}.${y + 1}.0/24' }")
        Container c = eval("container('busybox') { detach(); network 'dsla'; name 'roamer'; run 'sleep 600' }")

        when:
        String ip = c.connect('dslb', 'wanderer')
        def ips = c.ips
        eval("container('busybox') { network 'dslb'; run 'cat /etc/hosts' }")
        def hosts = out.toString()
        c.disconnect(eval("network('dslb')"))
        def after = c.ips

        then:
        ips.size() == 2 && ips[1] == ip
        ip.startsWith("10.${x}.${y + 1}.")
        hosts =~ /(?m)^${java.util.regex.Pattern.quote(ip)}\troamer\b.*\bwanderer$/
        after == [ips[0]]

        cleanup:
        c?.rm(force: true)
        engine.networks().list().each { engine.networks().remove(it.name) }
    }

    def "entrypoint replaces the image's (and its Cmd); image and labels inside the closure"() {
        when:
        Container c = eval("container(name: 'ep-test') { image 'busybox'; labels app: 'x'; entrypoint '/bin/echo'; run 'a', 'b' }")
        eval("container { image 'busybox'; entrypoint '/bin/echo' }")

        then:
        out.toString() == 'a b\n\n'
        c.exitCode == 0
        c.settings.labels() == [app: 'x']
    }

    def "the exit status of the command is the handle's exitCode"() {
        when:
        Container c = eval("container('busybox') { name 'three'; run 'exit 3' }")

        then:
        c.exitCode == 3
        c.name == 'three'
        c.toString().endsWith('exited 3')
    }

    def "exec form passes arguments untouched; workdir, user and env arrive"() {
        when:
        Container c = eval('''container('busybox') {
            workdir '/tmp'; user '65534:65534'; env 'A', 'x y'
            run 'sh', '-c', 'echo "$0|$1|$(pwd)|$(id -u):$(id -g)|$A"', 'a b', '$HOME'
        }''')

        then:
        c.exitCode == 0
        out.toString() == 'a b|$HOME|/tmp|65534:65534|x y\n'
    }

    def "without run the image's own command runs"() {
        expect:
        eval("container('busybox')").exitCode == 0
    }

    def "options given to container(...) are the same words"() {
        when:
        Container c = eval("""container('busybox', name: 'opts', memory: '64m', env: [X: '1']) { run 'echo \$X' }""")

        then:
        c.name == 'opts'
        c.settings.resources().memoryBytes() == 64L * 1024 * 1024
        out.toString() == '1\n'
    }

    def "a container that outgrows its memory is reported as OOM-killed"() {
        when:
        Container c = eval('''container('busybox') {
            memory '16m'; memorySwap '16m'
            run 'dd if=/dev/zero of=/dev/null bs=64M count=1'
        }''')

        then:
        c.oomKilled
        c.exitCode == 137
        c.toString().endsWith('killed by the OOM killer (exit 137)')
    }

    def "an image the store lacks is pulled from Docker Hub, as docker run does; failing that, one line says both"() {
        when:
        eval("container('nosuch') { run 'true' }")

        then: 'no internet here (or no such repository there): the pull fails, the line names the image and why'
        Throwable e = thrown()
        Errors.message(e) ==~ /container\('nosuch'\): no such image: nosuch \(not in the store, and pulling it failed: docker\.io: [^\n]+\)/
    }

    def "load of a file that is not there, rmi of an unknown image: one line each"() {
        when:
        eval("load '${tmp}/missing.tar'")

        then:
        Throwable e = thrown()
        String message = Errors.message(e)
        message.contains("${tmp}/missing.tar") && !message.contains('\n')

        when:
        eval("rmi 'nosuch:1'")

        then:
        Throwable e2 = thrown()
        Errors.message(e2) ==~ /.*nosuch.*/
    }

    def "images, tag and rmi work on the store; the default busybox is there without a registry"() {
        when:
        ImageList before = (ImageList) eval('images()')
        Image tagged = (Image) eval("tag 'busybox', 'mine:1'")
        ImageList during = (ImageList) eval('images()')
        eval("rmi 'mine:1'")
        ImageList after = (ImageList) eval('images()')

        then:
        before*.tags.flatten().contains('busybox:latest')
        tagged.tags.containsAll(['busybox:latest', 'mine:1'])
        during.toString().readLines().any { it.startsWith('mine ') && it.contains(' 1 ') && it.contains(tagged.shortId) }
        after*.tags.flatten() == before*.tags.flatten()
        before.toString().readLines()[0] ==~ /REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/
    }

    def "a recipe exits with its last container's status, and says file:line for engine errors"() {
        given:
        Path ok = tmp.resolve('ok.cgroovy')
        Files.writeString(ok, "container('busybox') { run 'exit 0' }\ncontainer('busybox') { run 'exit 3' }\n")
        Path bad = tmp.resolve('bad.cgroovy')
        Files.writeString(bad, "container('busybox') { run 'true' }\n\ncontainer('nosuch') {\n  run 'true'\n}\n")
        Path explicit = tmp.resolve('explicit.cgroovy')
        Files.writeString(explicit, "c = container('busybox') { run 'exit 3' }\nexit c.exitCode + 1\n")
        def errBytes = new ByteArrayOutputStream()

        expect:
        recipe(ok, errBytes) == 3
        recipe(explicit, errBytes) == 4
        errBytes.toString() == ''
        recipe(bad, errBytes) == 1
        errBytes.toString().readLines().last() ==~ /\Q${bad}\E:3: container\('nosuch'\): no such image: nosuch \(not in the store, and pulling it failed: docker\.io: [^\n]+\)/
    }

    private int recipe(Path file, ByteArrayOutputStream errBytes) {
        Session session = Session.using(engine)
        session.detachStdin(out, err)
        Recipe.run(file, [], session, new PrintStream(errBytes, true))
    }
}

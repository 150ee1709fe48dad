package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * The container words for security (capAdd, capDrop, privileged, readOnly, ulimit, userns) seen from inside
 * real containers, and the handle's exec, inspect and stats on a detached one.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(300)
class SecurityWordsSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('secwords')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    private Object eval(String code) { fixture.eval(code, out, err) }

    private String capEff(String words) {
        out.reset()
        eval("container('busybox') { ${words}; run 'grep CapEff /proc/self/status' }")
        out.toString().trim().split(/\s+/)[1]
    }

    def "capAdd, capDrop and privileged change the capabilities the process has"() {
        expect:
        capEff('') == '00000000a80425fb'                                       // Docker's 14
        (Long.parseLong(capEff("capAdd 'NET_ADMIN'"), 16) & (1L << 12)) != 0    // CAP_NET_ADMIN is bit 12
        capEff("capDrop 'ALL'") == '0000000000000000'
        capEff("capDrop 'ALL'; capAdd 'chown'") == '0000000000000001'
        Long.bitCount(Long.parseLong(capEff('privileged()'), 16)) > 14
    }

    def "readOnly root and ulimit"() {
        when:
        Container ro = eval("container('busybox') { readOnly(); tmpfs '/tmp'; run 'touch /x 2>/dev/null && echo wrote; touch /tmp/y && echo tmp ok' }")
        String roOut = out.toString()
        out.reset()
        eval("container('busybox') { ulimit nofile: '100:200'; run 'ulimit -n; ulimit -Hn' }")
        String lim = out.toString()
        out.reset()
        eval("container('busybox') { ulimit 'nofile=64'; run 'ulimit -n' }")

        then:
        roOut == 'tmp ok\n'
        ro.exitCode == 0
        lim == '100\n200\n'
        out.toString() == '64\n'
    }

    def "userns: root in the container is the mapped uid on the host; a file it makes in a bind mount is owned by that uid"() {
        given:
        Path data = Files.createDirectories(tmp.resolve('userns-data'))
        Files.setAttribute(data, 'unix:uid', 200000)   // the mapped root's directory, as a user of --userns-remap makes it

        when:
        out.reset()
        Container c = eval("""container('busybox') { userns host: 200000, size: 65536; bind '${data}', '/data'
            run 'touch /data/made && id -u; stat -c %u:%g /bin/busybox; cat /proc/self/uid_map' }""")
        String plain = out.toString()
        out.reset()
        eval("container('busybox') { userns; run 'cat /proc/self/uid_map' }")

        then:
        c.exitCode == 0
        plain.readLines()[0..1] == ['0', '0:0']
        plain.readLines()[2].trim().split(/\s+/) as List == ['0', '200000', '65536']
        Files.getAttribute(data.resolve('made'), 'unix:uid') == 200000
        Files.getAttribute(data.resolve('made'), 'unix:gid') == 200000
        out.toString().trim().split(/\s+/) as List == ['0', '100000', '65536']
    }

    def "userns: commit gives the image the container's own ids; copyIn writes files its root owns"() {
        given:
        Path local = Files.writeString(tmp.resolve('userns-in.txt'), 'copied in\n')

        when: 'files made by root and by 5:6 in a user namespace (host ids 300000, 300005) are committed'
        out.reset()
        Container c = eval("container('busybox') { userns 300000; keep(); run 'touch /made; mkdir /d; chown 5:6 /d' }")
        c.copyIn(local.toString(), '/in.txt')
        def copiedOwner = Files.getAttribute(engine.root().resolve("containers/${c.id}/upper/in.txt"), 'unix:uid')
        Image img = c.commit('userns-commit:1')
        eval("container('userns-commit:1') { run 'stat -c %u:%g /made /d' }")
        String plain = out.toString()
        out.reset()
        eval("container('userns-commit:1') { userns 300000; run 'stat -c %u:%g /made /in.txt; cat /in.txt' }")

        then: 'without a user namespace the image says root and 5:6, with one the container sees the same'
        plain == '0:0\n5:6\n'
        copiedOwner == 300000
        out.toString() == '0:0\n0:0\ncopied in\n'

        cleanup:
        c?.rm()
        if (img != null) engine.images().remove('userns-commit:1')
    }

    def "a detached handle: exec (shell or argv, env, workdir), inspect, stats"() {
        when:
        Container c = eval("container('busybox') { detach(); name 'box'; run 'trap \"exit 0\" TERM; sleep 3600 & wait' }")
        out.reset()
        int first = c.exec('echo hi > /tmp/x; cat /tmp/x')
        int argv = c.exec('ls', '/tmp')
        int withEnv = c.exec('echo $GREETING from $(pwd)', env: [GREETING: 'hello'], workdir: '/tmp')
        int failing = c.exec('exit 3')
        ContainerInfo info = c.inspect()

        then:
        first == 0
        argv == 0
        withEnv == 0
        failing == 3
        out.toString() == 'hi\nx\nhello from /tmp\n'
        info.status() == 'running'
        info.name() == 'box'
        c.stats().toString().contains('box')

        when: 'its processes (docker top): the shell and its sleep, with host pids'
        TopList top = c.top()

        then:
        TopList.HEADERS == ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']
        top*.cmd == ['/bin/sh -c trap "exit 0" TERM; sleep 3600 & wait', 'sleep 3600']
        top[0].pid == c.pid
        top[1].ppid == c.pid
        top*.user == ['root', 'root']
        top.rows()[1] == ['root', top[1].pid.toString(), c.pid.toString(), top[1].cpu.toString(), top[1].started, '?', '00:00:00', 'sleep 3600']
        top[1].cpu in 0..99 // C: CPU time over its life, a rate
        top.toString().readLines()[0].startsWith('UID')

        when:
        c.exec('true', usr: 'nobody')

        then:
        DslException e = thrown()
        e.message == "exec: unknown option 'usr' — did you mean 'user'?"

        cleanup:
        c?.rm(force: true)
    }

    def "device: a host device in the container, allowed by the device cgroup, also after a restart; others refused"() {
        given:
        String probe = '[ -c /dev/kmsg ] && (exec 3>/dev/kmsg) && echo kmsg opens; mknod /tmp/b$$ b 7 0; head -c1 /tmp/b$$ 2>&1 >/dev/null | grep -o "Operation not permitted"'
        when:
        Container c = eval("container('busybox') { detach(); name 'dev'; device '/dev/kmsg:w'; run 'sleep 3600' }")
        out.reset()
        c.exec(probe)
        c.restart(1)
        c.exec(probe)

        then: 'the restart made the cgroup again from the container record: the same rules'
        out.toString() == 'kmsg opens\nOperation not permitted\n' * 2

        cleanup:
        c?.rm(force: true)
    }

    def "mistakes: #code"() {
        when:
        eval(code)

        then:
        DslException e = thrown()
        e.message.contains(message)

        where:
        code                                                        | message
        "container('busybox') { capAdd 'NET_ADMN'; run 'true' }"    | "capAdd 'NET_ADMN': unknown capability — did you mean 'NET_ADMIN'?"
        "container('busybox') { capDrop 'bogus'; run 'true' }"      | "capDrop 'bogus': unknown capability"
        "container('busybox') { ulimit 'nofile=x'; run 'true' }"    | "ulimit 'nofile=x': not NAME=SOFT[:HARD]"
        "container('busybox') { ulimit nofle: 10; run 'true' }"     | "ulimit 'nofle=10': unknown ulimit 'nofle'"
        "container('busybox') { ulimit nofile: '20:10'; run 'true' }" | 'soft limit 20 is above the hard limit 10'
        "container('busybox') { privileged 'yes'; run 'true' }"     | "privileged 'yes': use privileged() or privileged false"
        "container('busybox') { readOnly 1; run 'true' }"           | 'readOnly 1: use readOnly() or readOnly false'
        "container('busybox') { device '/dev/nosuch'; run 'true' }" | "device '/dev/nosuch': no such device on the host"
        "container('busybox') { device 'dev/null'; run 'true' }"    | "device 'dev/null': not an absolute path"
        "container('busybox') { device '/dev/null:rx'; run 'true' }" | "device '/dev/null:rx': container path 'rx' is not absolute"
        "container('busybox') { device '/etc/hostname'; run 'true' }" | "device '/etc/hostname': not a character or block device"
        "container('busybox') { userns 0; run 'true' }"             | 'userns: the host id must be > 0 (root in the container must not be root on the host), not 0'
        "container('busybox') { userns host: 100000, size: 0; run 'true' }" | 'userns: the range size must be 1..4294867295 (host ids end at 4294967294), not 0'
        "container('busybox') { userns host: 'lots'; run 'true' }"  | "userns host: 'lots' is not a whole number"
        "container('busybox') { userns hots: 100000; run 'true' }"  | "userns: unknown option 'hots' — did you mean 'host'?"
        "container('busybox') { userns size: 10; run 'true' }"      | 'userns: the host id is missing (e.g. userns host: 100000, size: 65536)'
        "container('busybox') { userns 100000; privileged(); run 'true' }" | 'userns: a privileged() container cannot have a user namespace'
        "container('busybox') { userns host: 100000, size: 10; user '10'; run 'true' }" | 'user 10:0 is outside the user namespace (ids 0..9)'
    }
}

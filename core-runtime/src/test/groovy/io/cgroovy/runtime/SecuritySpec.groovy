package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** Docker's security defaults (and the settings that change them), proven from inside real containers. */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(180)
class SecuritySpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('security')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine

    def setupSpec() {
        // a static probe that makes one syscall and prints the kernel's answer (busybox has no keyctl)
        Path src = tmp.resolve('probe.c')
        Files.copy(SecuritySpec.getResourceAsStream('probe.c'), src)
        def cc = ['gcc', '-static', '-O2', '-o', image.layers()[0].resolve('bin/probe').toString(), src.toString()].execute()
        def ccErr = new StringBuilder()
        cc.consumeProcessErrorStream(ccErr)
        assert cc.waitFor() == 0: ccErr
    }

    def cleanup() {
        assert !new File('/proc/self/mountinfo').text.contains(tmp.toString())
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.isAlive() }.count() == 0
    }

    Map run(Map opts = [:], List<String> cmd) {
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        def sec = new Security(opts.capAdd as List ?: [], opts.capDrop as List ?: [], opts.privileged as boolean,
                opts.seccomp as String, opts.readOnly as boolean, opts.userns as Security.UserNamespace, opts.ulimits as List ?: [],
                (opts.devices as List ?: []).collect { Security.Device.parse(it as String) })
        def settings = new ContainerSettings('test/busybox', opts.name as String, cmd, [:], null, null, opts.user as String, null, sec)
        RunResult r = engine.run(image, settings, Stdio.of(null, out, err))
        [out: out.toString(), err: err.toString(), code: r.exitCode()]
    }

    /** Makes a node of a device the container is not given, then tries to open it: the device cgroup's answer. */
    static final String PROBE_DEVICES = '''
        mknod /tmp/sda b 8 0 && echo made sda; head -c1 /tmp/sda >/dev/null 2>/tmp/e; echo "sda: $? $(cat /tmp/e)"
        mknod /tmp/kmsg c 1 11 && echo made kmsg; (exec 3>/tmp/kmsg) 2>/tmp/e; echo "kmsg: $? $(cat /tmp/e)"
        echo hi > /dev/null && head -c3 /dev/zero | wc -c && head -c1 /dev/urandom | wc -c
        [ -c /dev/kmsg ] && (exec 3>/dev/kmsg) && echo "given kmsg opens"
    '''.stripIndent()

    def "Docker's device cgroup: any node can be made, only the default devices open; a device given opens"() {
        when:
        def plain = run(['sh', '-c', PROBE_DEVICES])
        def given = run([devices: ['/dev/kmsg:/dev/kmsg:w']], ['sh', '-c', PROBE_DEVICES])
        def privileged = run([privileged: true], ['sh', '-c', 'mknod /tmp/kmsg c 1 11; (exec 3>/tmp/kmsg) && echo opened'])

        then: 'mknod works (c *:* m, b *:* m) but opening a device not on the list is refused by the kernel (EPERM)'
        plain.out.readLines() == ['made sda', 'sda: 1 head: /tmp/sda: Operation not permitted',
                                  'made kmsg', 'kmsg: 1 sh: can\'t create /tmp/kmsg: Operation not permitted', '3', '1']
        and: 'a device given (--device) is made in /dev and allowed for its permissions; others stay refused'
        given.out.readLines()[0..1] == ['made sda', 'sda: 1 head: /tmp/sda: Operation not permitted']
        given.out.readLines()[2..3] == ['made kmsg', 'kmsg: 0 ']
        given.out.readLines()[-1] == 'given kmsg opens'
        and: 'privileged: every device'
        privileged.out == 'opened\n'
    }

    def "a device that is not one is a clear error"() {
        when:
        run([devices: ['/etc/hostname']], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == 'device /etc/hostname: not a character or block device'
        when:
        run([devices: ['/dev/nosuch']], ['true'])
        then:
        e = thrown(ContainerException)
        e.message == 'device /dev/nosuch: no such device on the host'
        when:
        Security.Device.parse('/dev/kmsg:/dev/k:rwx')
        then:
        e = thrown(ContainerException)
        e.message == "device '/dev/kmsg': permissions 'rwx' are not a subset of rwm"
    }

    def "root cannot mount, /proc/kcore reads nothing, CapEff is Docker's default set"() {
        when:
        def r = run(['sh', '-c', 'mkdir /tmp/m; mount -t tmpfs none /tmp/m && echo mounted; cat /proc/kcore | wc -c; grep CapEff /proc/self/status; id -u'])
        then: 'busybox words EPERM as "permission denied"'
        r.err.contains('mount: permission denied')
        r.out == '0\nCapEff:\t00000000a80425fb\n0\n'
    }

    def "seccomp refuses keyctl, unshare of a user namespace and pidfd_getfd; unconfined allows the first two"() {
        when:
        def cmd = ['sh', '-c', 'sleep 30 & probe keyctl; probe unshare-user; probe pidfd_getfd $!; grep Seccomp: /proc/self/status; kill $!']
        def confined = run(cmd)
        def unconfined = run([seccomp: 'unconfined'], cmd)
        then: 'EPERM from the filter (these calls need no capability: unconfined they work)'
        confined.out == 'keyctl: EPERM\nunshare-user: EPERM\npidfd_getfd: EPERM\nSeccomp:\t2\n'
        unconfined.out.startsWith('keyctl: ok\nunshare-user: ok\n')
        unconfined.out.endsWith('Seccomp:\t0\n')
    }

    def "ptrace of another user's process fails without CAP_SYS_PTRACE (Docker's profile allows the call on kernels >= 4.8)"() {
        when:
        def r = run(['sh', '-c', 'sleep 30 & probe ptrace $!; su -s /bin/sh app -c "probe ptrace 1" 2>&1 || true; kill $!'])
        then:
        r.out.readLines()[0] == 'ptrace: ok'
        r.out.contains('ptrace: EPERM')
    }

    def "a profile file in Docker's JSON format replaces the default"() {
        given:
        Path profile = tmp.resolve('no-mkdir.json')
        Files.writeString(profile, '''{"defaultAction": "SCMP_ACT_ALLOW",
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}''')
        when:
        def r = run([seccomp: profile.toString()], ['sh', '-c', 'mkdir /tmp/x; probe keyctl'])
        then:
        r.err.contains('Permission denied')
        r.out == 'keyctl: ok\n'
    }

    def "a bad seccomp profile is a clear error"() {
        given:
        Path bad = tmp.resolve('bad.json')
        Files.writeString(bad, '{"syscalls": []}')
        when:
        run([seccomp: tmp.resolve('missing.json').toString()], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == "seccomp profile ${tmp.resolve('missing.json')} does not exist"
        when:
        run([seccomp: bad.toString()], ['true'])
        then:
        e = thrown(ContainerException)
        e.message == "seccomp profile ${bad} has no defaultAction"
    }

    def "capAdd and capDrop change the set, and the filter follows (CAP_SYS_ADMIN allows mount)"() {
        expect:
        run([capAdd: ['NET_ADMIN']], ['grep', 'CapEff', '/proc/self/status']).out == 'CapEff:\t00000000a80435fb\n'
        run([capDrop: ['ALL']], ['grep', 'CapEff', '/proc/self/status']).out == 'CapEff:\t0000000000000000\n'
        run([capDrop: ['ALL'], capAdd: ['chown']], ['grep', 'CapEff', '/proc/self/status']).out == 'CapEff:\t0000000000000001\n'
        run([capAdd: ['SYS_ADMIN']], ['sh', '-c', 'mkdir /tmp/m; mount -t tmpfs none /tmp/m && echo mounted']).out == 'mounted\n'
    }

    def "an unknown capability is a clear error"() {
        when:
        run([capAdd: ['NET_ADMINN']], ['true'])
        then:
        def e = thrown(ContainerException)
        e.message == "unknown capability 'NET_ADMINN' (did you mean NET_ADMIN?)"
    }

    def "privileged: every capability, no filter, nothing masked"() {
        when:
        def r = run([privileged: true], ['sh', '-c', 'grep -E "CapEff|Seccomp:" /proc/self/status; grep -c " /proc/timer_list " /proc/self/mountinfo'])
        def hostBnd = new File('/proc/self/status').readLines().find { it.startsWith('CapBnd:') }.split(/\s+/)[1]
        then: 'every capability the engine itself may hold'
        r.out == "CapEff:\t${hostBnd}\nSeccomp:\t0\n0\n"
        run(['grep', '-c', ' /proc/timer_list ', '/proc/self/mountinfo']).out == '1\n'
    }

    def "readOnly: the root filesystem cannot be written"() {
        when:
        def r = run([readOnly: true], ['sh', '-c', 'touch /x || echo refused; echo ok > /dev/shm/y && echo shm-ok'])
        then:
        r.err.contains('Read-only file system')
        r.out == 'refused\nshm-ok\n'
    }

    def "ulimits replace the defaults; raising a hard limit above the host's is refused, not ignored"() {
        expect:
        run([ulimits: [Security.Ulimit.parse('nofile=512:777')]], ['sh', '-c', 'ulimit -n; ulimit -Hn']).out == '512\n777\n'
        run([ulimits: [Security.Ulimit.parse('nproc=100')]], ['sh', '-c', 'ulimit -u']).out == '100\n'
        when:
        Security.Ulimit.parse('nofiles=1')
        then:
        def e = thrown(ContainerException)
        e.message.startsWith("unknown ulimit 'nofiles'")
        when:
        Security.Ulimit.parse('nofile=10:5')
        then:
        e = thrown(ContainerException)
        e.message == 'ulimit nofile: soft limit 10 is above the hard limit 5'
    }

    def "the container's first process holds only stdio: no fd of the engine or executor leaks"() {
        expect:
        run(['sh', '-c', 'ls /proc/self/fd | sort -n | tr "\\n" " "']).out == '0 1 2 3 '
    }
}

package io.cgroovy.runtime

import io.cgroovy.image.ImageConfig
import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.cgroup.CgroupMounts
import io.cgroovy.runtime.cgroup.Resources
import io.cgroovy.runtime.plan.Plan
import io.cgroovy.runtime.plan.PlanCompiler
import io.cgroovy.runtime.plan.Step
import io.cgroovy.runtime.spec.RootfsView
import io.cgroovy.runtime.spec.RuntimeSpec
import io.cgroovy.runtime.spec.SpecBuilder
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/** Plans compiled from specs, checked without root. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class PlanCompilerSpec extends Specification {
    static final String ID = 'abcdef0123456789' * 4
    @TempDir Path tmp

    static final String HYBRID = '''\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
'''
    static final String V2 = '30 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n'

    Snapshot image(Map cfg = [:]) {
        def c = new ImageConfig()
        c.config.env = cfg.env as List<String>
        c.config.cmd = (cfg.cmd ?: ['sh']) as List<String>
        c.config.entrypoint = cfg.entrypoint as List<String>
        c.config.workingDir = cfg.workingDir as String
        new Snapshot('sha256:1', 'busybox', [Path.of('/var/lib/cgroovy/layers/l1'), Path.of('/var/lib/cgroovy/layers/l2')], c)
    }

    RuntimeSpec spec(Map s = [:], Snapshot img = image()) {
        def settings = new ContainerSettings('busybox', null, s.command as List<String>, s.env as Map, s.hostname as String,
                s.workdir as String, s.user as String, s.resources as Resources)
        SpecBuilder.build(ID, img, settings, new RootfsView(img.layers()))
    }

    Plan compile(RuntimeSpec spec, String mountinfo = HYBRID) {
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)
        PlanCompiler.compile(spec, new PlanCompiler.Rootfs(c.resolve('rootfs'), [Path.of('/var/lib/cgroovy/layers/l1'), Path.of('/var/lib/cgroovy/layers/l2')],
                c.resolve('upper'), c.resolve('work')),
                [Path.of('/sys/fs/cgroup/memory/cgroovy/' + ID), Path.of('/sys/fs/cgroup/pids/cgroovy/' + ID)],
                CgroupMounts.parse(mountinfo).mounts())
    }

    def "the spec has Docker's defaults and the image's settings"() {
        when:
        def s = spec([env: [B: 'user']], image(env: ['A=1', 'B=image'], entrypoint: ['/init'], cmd: ['run', 'me'], workingDir: '/srv'))
        then:
        s.ociVersion == '1.0.2'
        s.process.args == ['/init', 'run', 'me']
        s.process.env == ['PATH=' + SpecBuilder.DEFAULT_PATH, 'A=1', 'B=user', 'HOSTNAME=abcdef012345', 'HOME=/']
        s.process.cwd == '/srv'
        s.process.user.uid == 0
        s.process.noNewPrivileges
        s.process.capabilities.bounding.size() == 14
        s.process.rlimits*.type == ['RLIMIT_NOFILE']
        s.hostname == 'abcdef012345'
        s.root.path == 'rootfs'
        s.mounts*.destination == ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']
        s.linux.namespaces*.type == ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']
        s.linux.cgroupsPath == '/cgroovy/' + ID
        s.linux.maskedPaths.contains('/proc/kcore')
        s.linux.readonlyPaths.contains('/proc/sys')
    }

    def "the user's command replaces Cmd but keeps Entrypoint"() {
        expect:
        spec([command: ['echo', 'hi']], image(entrypoint: ['/init'], cmd: ['x'])).process.args == ['/init', 'echo', 'hi']
        spec([command: ['echo', 'hi']]).process.args == ['echo', 'hi']
    }

    def "config.json round-trips through Jackson with the standard field names"() {
        given:
        def s = spec([resources: new Resources(64L << 20, null, 0.5d, null, 100L)])
        def f = tmp.resolve('config.json')
        when:
        s.write(f)
        def json = Files.readString(f)
        def back = RuntimeSpec.read(f)
        then:
        json.contains('"ociVersion" : "1.0.2"')
        json.contains('"noNewPrivileges" : true')
        json.contains('"cgroupsPath" : "/cgroovy/' + ID + '"')
        back.linux.resources.memory.limit == 64L << 20
        back.linux.resources.cpu.quota == 50000
        back.linux.resources.cpu.period == 100000
        back.linux.resources.pids.limit == 100
        back.process.args == s.process.args
    }

    def "a spec compiles to clone, cgroup join, cgroup ns, overlay, mounts, devices, pivot_root, ..., exec"() {
        when:
        def plan = compile(spec([command: ['echo', 'hi']]))
        def ops = plan.steps()*.op()
        then:
        plan.steps()[0] == Step.of('create namespaces (pid, network, ipc, uts, mount)', 'clone', 0x20000L | 0x40000000L | 0x08000000L | 0x04000000L | 0x20000000L)
        plan.steps()[1].args() == ['/sys/fs/cgroup/memory/cgroovy/' + ID]
        plan.steps()[2].op() == 'join-cgroup'
        plan.steps()[3] == Step.of('create cgroup namespace', 'unshare', 0x02000000L)
        plan.steps()[4].op() == 'mount-host' && plan.steps()[4].args() == ['', '/', '', String.valueOf(16384 | (1 << 18)), '']
        plan.steps()[5] == Step.of('enter the layer directory /var/lib/cgroovy/layers', 'chdir-host', '/var/lib/cgroovy/layers')
        plan.steps()[6].args()[4] == 'lowerdir=l2:l1,upperdir=/var/lib/cgroovy/containers/' + ID + '/upper,workdir=/var/lib/cgroovy/containers/' + ID + '/work'
        plan.steps()[7].op() == 'open-root'
        plan.steps()[8] == Step.of('mount proc on /proc', 'mount', 'proc', '/proc', 'proc', 2 | 4 | 8, '', 1)
        plan.steps()[9] == Step.of('mount tmpfs on /dev', 'mount', 'tmpfs', '/dev', 'tmpfs', 2 | (1 << 24), 'mode=755,size=65536k', 1)
        ops.indexOf('pivot-root') > ops.lastIndexOf('mknod')
        ops.indexOf('mask') > ops.indexOf('pivot-root')
        ops.subList(ops.indexOf('sethostname'), ops.size()) ==
                ['sethostname', 'lo-up', 'rlimit', 'bounding', 'setgroups', 'setgid', 'setuid', 'capset', 'no-new-privs', 'umask', 'close-fds', 'chdir', 'seccomp', 'exec']
        plan.steps().find { it.op() == 'bounding' }.args() == ['0xa80425fb']
        plan.steps().find { it.op() == 'capset' }.args() == ['0xa80425fb', '0xa80425fb', '0x0']
        plan.steps().last() == Step.of("exec 'echo'", 'exec', 2, 'echo', 'hi', 'PATH=' + SpecBuilder.DEFAULT_PATH, 'HOSTNAME=abcdef012345', 'HOME=/')
    }

    def "userns: the executor's parent maps ids, mounts the rootfs in its own mount namespace, opens bind sources and joins cgroups for the child"() {
        given:
        def s = spec([command: ['true']])
        s.linux.namespaces << new RuntimeSpec.Namespace('user')
        s.linux.uidMappings = [new RuntimeSpec.IdMapping(0, 100000, 65536)]
        s.linux.gidMappings = [new RuntimeSpec.IdMapping(0, 100000, 65536)]
        s.linux.namespaces.find { it.type == 'network' }.path = '/var/lib/cgroovy/netns/x'
        s.mounts << new RuntimeSpec.Mount('/data', 'bind', tmp.toString(), ['rbind', 'ro'])
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)
        def layers = [Path.of('/var/lib/cgroovy/layers/l1'), Path.of('/var/lib/cgroovy/layers/l2')]

        when:
        def plan = PlanCompiler.compile(s, new PlanCompiler.Rootfs(c.resolve('rootfs'), layers, c.resolve('upper'), c.resolve('work'), true),
                [Path.of('/sys/fs/cgroup/memory/cgroovy/' + ID)], CgroupMounts.parse(HYBRID).mounts())
        def ops = plan.steps()*.op()
        int clone = ops.indexOf('clone')
        def openTree = plan.steps().find { it.op() == 'open-tree' }

        then: 'before the clone, in the parent'
        ops.subList(0, clone) == ['setns', 'userns', 'unshare', 'mount-host', 'idmap', 'idmap', 'chdir-host', 'mount-host', 'chdir-host',
                                  'open-fs', 'open-tree', 'lo-up', 'child-cgroup']
        plan.steps()[1].args() == ['0 100000 65536\n', '0 100000 65536\n']
        plan.steps()[4].args() == ['/var/lib/cgroovy/layers/l1']
        plan.steps()[8].args() == [c.resolve('rootfs').toString()]
        openTree.args() == [tmp.toString(), '1', '1']                  // recursive, MOUNT_ATTR_RDONLY
        plan.steps().find { it.op() == 'open-fs' }.args() == ['sysfs', '15']  // ro, nosuid, nodev, noexec
        plan.steps()[clone].args()[0] == String.valueOf(0x10000000L | 0x20000L | 0x08000000L | 0x04000000L | 0x20000000L)

        and: 'in the child: no cgroup join of its own, a copy of the rootfs mount, the detached mounts attached in order'
        !ops.contains('join-cgroup')
        ops[clone + 1] == 'unshare' && ops[clone + 2] == 'open-root-copy'
        plan.steps().find { it.op() == 'attach' && it.args()[1] == '/data' }.args() == [String.valueOf(ops.indexOf('open-tree')), '/data', '1']
        plan.steps().find { it.op() == 'attach' && it.args()[1] == '/sys' }.args()[0] == String.valueOf(ops.indexOf('open-fs'))
        ops.count('lo-up') == 1
    }

    def "userns without a cgroup namespace (podman on v1): the container's own cgroup directories are bound, not cgroupfs mounted"() {
        given:
        def s = spec([command: ['true']])
        s.linux.namespaces.removeIf { it.type == 'cgroup' }
        s.linux.namespaces << new RuntimeSpec.Namespace('user')
        s.linux.uidMappings = s.linux.gidMappings = [new RuntimeSpec.IdMapping(0, 100000, 65536)]
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)

        when:
        def plan = PlanCompiler.compile(s, new PlanCompiler.Rootfs(c.resolve('rootfs'), [Path.of('/var/lib/cgroovy/layers/l1')], c.resolve('upper'), c.resolve('work'), false),
                [Path.of('/sys/fs/cgroup/memory/cgroovy/' + ID)], CgroupMounts.parse(HYBRID).mounts())
        def steps = plan.steps()

        then:
        steps.find { it.op() == 'open-tree' }.args() == ['/sys/fs/cgroup/memory/cgroovy/' + ID, '0', '15']
        !steps.any { it.op() == 'mount' && it.args()[2] in ['cgroup', 'cgroup2'] }
        steps.find { it.op() == 'attach' && it.args()[1] == '/sys/fs/cgroup/memory' }.args()[0] == String.valueOf(steps*.op().indexOf('open-tree'))
        !steps.any { it.op() == 'idmap' }
    }

    def "userns: a spec without maps is refused"() {
        given:
        def s = spec([command: ['true']])
        s.linux.namespaces << new RuntimeSpec.Namespace('user')

        when:
        compile(s)

        then:
        def e = thrown(ContainerException)
        e.message == 'a user namespace needs linux.uidMappings'
    }

    def "process.terminal: the process takes its PTY as controlling terminal (console) before it changes user"() {
        given:
        def s = spec()
        s.process.terminal = true
        when:
        def ops = compile(s).steps()*.op()
        then:
        ops.count('console') == 1
        ops.indexOf('console') < ops.indexOf('setuid')
        !compile(spec()).steps()*.op().contains('console')
    }

    def "without no_new_privs the seccomp filter is installed before the user and capabilities change"() {
        given:
        def s = spec()
        s.process.noNewPrivileges = false
        when:
        def ops = compile(s).steps()*.op()
        then:
        ops.indexOf('seccomp') < ops.indexOf('setgroups')
        !ops.contains('no-new-privs')
    }

    def "/sys/fs/cgroup follows the host: v1 hierarchies on a tmpfs, or cgroup2 alone"() {
        when:
        def hybrid = compile(spec()).steps().findAll { it.args().size() > 1 && it.args()[1].startsWith('/sys/fs/cgroup') }
        def v2 = compile(spec(), V2).steps().findAll { it.args().size() > 1 && it.args()[1].startsWith('/sys/fs/cgroup') }
        then:
        hybrid*.description == ['mount tmpfs on /sys/fs/cgroup', 'mount cgroup (cpu) on /sys/fs/cgroup/cpu',
                                'mount cgroup (memory) on /sys/fs/cgroup/memory', 'mount cgroup (name=systemd) on /sys/fs/cgroup/systemd',
                                'mount cgroup2 on /sys/fs/cgroup/unified']
        hybrid[1].args()[4] == 'cpu'
        compile(spec()).steps().find { it.op() == 'remount' }.args() == ['/sys/fs/cgroup', '1']
        v2*.description == ['mount cgroup2 on /sys/fs/cgroup']
    }

    def "on cgroup v2 the first process is cloned into the container's cgroup instead of joining it"() {
        given:
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)
        def cg = Path.of('/sys/fs/cgroup/cgroovy/' + ID)
        when:
        def plan = PlanCompiler.compile(spec(), new PlanCompiler.Rootfs(c.resolve('rootfs'), [Path.of('/l')], c.resolve('upper'), c.resolve('work')),
                [], cg, CgroupMounts.parse(V2).mounts(), [:])
        then:
        plan.steps()[0].op() == 'clone'
        plan.steps()[0].args()[1] == cg.toString()
        plan.steps()[0].description().endsWith(' in cgroup ' + cg)
        plan.steps()[1] == Step.of('create cgroup namespace', 'unshare', 0x02000000L)
        !plan.steps()*.op().contains('join-cgroup')
    }

    def "a namespace with a path is joined (setns) before the clone, which then leaves it out"() {
        given:
        def s = spec()
        s.linux.namespaces.find { it.type == 'network' }.path = '/var/lib/cgroovy/netns/x'
        when:
        def steps = compile(s).steps()
        then:
        steps[0] == Step.of('join network namespace /var/lib/cgroovy/netns/x', 'setns', '/var/lib/cgroovy/netns/x', 0x40000000L)
        steps[1].op() == 'clone'
        (Long.parseLong(steps[1].args()[0]) & 0x40000000L) == 0
        steps*.op().contains('lo-up')
    }

    def "joining a mount namespace is refused"() {
        given:
        def s = spec()
        s.linux.namespaces.find { it.type == 'mount' }.path = '/proc/1/ns/mnt'
        when:
        compile(s)
        then:
        def e = thrown(ContainerException)
        e.message == 'joining an existing mount namespace is not supported'
    }

    def "combined v1 hierarchies keep the host's symlinks (cpu -> cpu,cpuacct)"() {
        given:
        def info = '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n' +
                '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n'
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)
        when:
        def plan = PlanCompiler.compile(spec(), new PlanCompiler.Rootfs(c.resolve('rootfs'), [Path.of('/l')], c.resolve('upper'), c.resolve('work')),
                [], CgroupMounts.parse(info).mounts(), [cpu: 'cpu,cpuacct', cpuacct: 'cpu,cpuacct', evil: '/etc'])
        def cg = plan.steps().findAll { it.args().size() > 1 && it.args()[1].startsWith('/sys/fs/cgroup') }
        then:
        cg*.description == ['mount tmpfs on /sys/fs/cgroup', 'mount cgroup (cpu,cpuacct) on /sys/fs/cgroup/cpu,cpuacct',
                            'create symlink /sys/fs/cgroup/cpu', 'create symlink /sys/fs/cgroup/cpuacct']
        cg[2].args() == ['cpu,cpuacct', '/sys/fs/cgroup/cpu']
    }

    def "the plan file is length-prefixed text the executor can read"() {
        given:
        def plan = new Plan([Step.of('a', 'mount', 'x', 'two\nlines', ''), Step.of('b', 'lo-up')])
        expect:
        new String(plan.encode(), StandardCharsets.UTF_8) ==
                'CGROOVY-PLAN 1\n2\nmount 3\n1\nx\n9\ntwo\nlines\n0\n\nlo-up 0\n'
    }

    def "a failing step index maps to its message"() {
        given:
        def plan = compile(spec([command: ['nosuchcmd']]))
        expect:
        plan.failureMessage(8, 1, 'Operation not permitted') == 'mount proc on /proc: Operation not permitted'
        plan.failureMessage(plan.steps().size() - 1, 2, 'No such file or directory') == "exec 'nosuchcmd': No such file or directory"
        plan.failureMessage(-1, -1004, 'malformed launch plan') == 'launch plan: malformed launch plan'
    }

    def "bad settings are one-line errors"() {
        when:
        compile(spec(s))
        then:
        def e = thrown(ContainerException)
        e.message == message
        where:
        s                                 | message
        [workdir: 'rel']                  | "working directory 'rel' is not an absolute path"
        [hostname: 'bad host']            | "invalid hostname 'bad host' (letters, digits, '.', '-', at most 64 characters)"
        [env: ['A=B': 'x']]               | "invalid environment variable name 'A=B'"
        [user: 'nosuch']                  | "no user 'nosuch' in the image's /etc/passwd"
        [command: ['a\u0000b']]           | 'command argument contains a NUL byte'
    }

    def "an image without a command is refused"() {
        given:
        def img = new Snapshot('sha256:1', 'empty', [Path.of('/l')], new ImageConfig())
        when:
        spec([:], img)
        then:
        def e = thrown(ContainerException)
        e.message == 'no command to run: image empty has no Entrypoint or Cmd and none was given'
    }

    def "too many layers for one page of overlay options is a clear error"() {
        given:
        def layers = (1..200).collect { Path.of('/var/lib/cgroovy/layers/' + String.format('%064x', it)) }
        def c = Path.of('/var/lib/cgroovy/containers/' + ID)
        when:
        PlanCompiler.compile(spec(), new PlanCompiler.Rootfs(c.resolve('rootfs'), layers, c.resolve('upper'), c.resolve('work')), [], [])
        then:
        def e = thrown(ContainerException)
        e.message.startsWith('image has too many layers for one overlay mount (200 layers')
    }

    def "user names resolve from the layers top-down, honouring whiteouts"() {
        given:
        def lower = Files.createDirectories(tmp.resolve('l1/etc'))
        def upper = Files.createDirectories(tmp.resolve('l2/etc'))
        Files.writeString(lower.resolve('passwd'), 'root:x:0:0::/:/bin/sh\nold:x:5:5::/:/bin/sh\n')
        Files.writeString(upper.resolve('passwd'), 'root:x:0:0::/:/bin/sh\nweb:x:33:33::/:/bin/sh\n')
        Files.writeString(lower.resolve('group'), 'web:x:33:\nlog:x:4:web,other\n')
        def img = new Snapshot('sha256:1', 'x', [tmp.resolve('l1'), tmp.resolve('l2')], new ImageConfig(config: new ImageConfig.Runtime(cmd: ['sh'])))
        when:
        def s = spec([user: 'web'], img)
        then:
        s.process.user.uid == 33
        s.process.user.gid == 33
        s.process.user.additionalGids == [33L, 4L]
        when:
        spec([user: 'old'], img)
        then:
        thrown(ContainerException)
    }
}

package io.cgroovy.runtime.cgroup

import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

import static io.cgroovy.runtime.cgroup.CgroupTestSupport.*

/** What is specific to cgroup v1 (the build machines' hybrid layout): one directory per hierarchy, v1 file names. */
@Requires(value = { CgroupTestSupport.isRoot() && CgroupTestSupport.hostVersion() == 'v1' }, reason = "the v1 files: this kernel's /sys/fs/cgroup is cgroup v2 (CgroupV2Spec runs instead)")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CgroupV1Spec extends Specification {
    static final long MiB = 1024 * 1024

    @Shared CgroupsV1 cgroups
    @TempDir Path tmp
    List<ContainerCgroup> made = []
    List<Process> started = []

    def setupSpec() {
        cgroups = Cgroups.detect(uniqueParent('v1')) as CgroupsV1
    }

    def cleanup() {
        started.each { it.destroyForcibly() }
        made.each { it.close() }
    }

    def cleanupSpec() {
        cgroups?.removeParent()
        assert cgroups == null || cgroups.parentDirs().every { !Files.exists(it) }
    }

    CgroupsV1.Container create(String id, Resources r) {
        def cg = cgroups.create(id, r)
        made << cg
        cg as CgroupsV1.Container
    }

    static String file(CgroupsV1.Container cg, String controller, String name) {
        read(cg.dirs()[controller].resolve(name))
    }

    def "the v1 hierarchies come from mountinfo; the hybrid cgroup2 is not joined"() {
        given:
        def mounted = new File('/proc/self/mountinfo').readLines()
                .findAll { it.contains(' - cgroup cgroup ') }
                .collectMany { it.split(' ')[-1].split(',').toList() }

        expect:
        cgroups.hierarchies().keySet() == (CgroupsV1.CONTROLLERS.findAll { it in mounted }) as Set
        cgroups.hierarchies().keySet().containsAll(['memory', 'cpu', 'cpuacct', 'pids', 'cpuset'])
        cgroups.parentDirs().every { !it.startsWith('/sys/fs/cgroup/unified') && !it.startsWith('/sys/fs/cgroup/systemd') }
    }

    def "limits land in the v1 files"() {
        when:
        def cg = create('files', new Resources(32 * MiB, null, 0.5d, 512L, 20))

        then:
        file(cg, 'memory', 'memory.limit_in_bytes') == "${32 * MiB}"
        !Files.exists(cg.dirs().memory.resolve('memory.memsw.limit_in_bytes')) ||
                file(cg, 'memory', 'memory.memsw.limit_in_bytes') == "${64 * MiB}" // unset swap: twice memory
        file(cg, 'cpu', 'cpu.cfs_period_us') == '100000'
        file(cg, 'cpu', 'cpu.cfs_quota_us') == '50000'
        file(cg, 'cpu', 'cpu.shares') == '512'
        file(cg, 'pids', 'pids.max') == '20'
        cg.joinDirs() == cg.dirs().values().toList().unique()
        cg.joinDirs().every { it.fileName.toString() == 'files' && Files.isDirectory(it) }
    }

    @Requires(value = { Files.exists(Path.of('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')) }, reason = 'the kernel accounts no swap (memory.memsw.* missing)')
    def "memory+swap is the memsw limit (Docker semantics), -1 unlimited"() {
        expect:
        file(create('swap-' + n, new Resources(32 * MiB, swap, null, null, null)), 'memory', 'memory.memsw.limit_in_bytes') == want

        where:
        n | swap        || want
        1 | 48 * MiB    || "${48 * MiB}"
        2 | -1L         || '9223372036854771712'
        3 | 32 * MiB    || "${32 * MiB}"
    }

    def "the cpuset parent gets the root's cpus and mems, so a process can join it"() {
        given:
        def root = cgroups.hierarchies().cpuset

        when:
        def cg = create('cpuset', Resources.NONE)
        def p = startIn(cg, "cat /proc/self/cgroup", tmp)
        started << p

        then:
        read(root.resolve(cgroups.parent()).resolve('cpuset.cpus')) == read(root.resolve('cpuset.cpus'))
        file(cg, 'cpuset', 'cpuset.cpus') == read(root.resolve('cpuset.cpus'))
        file(cg, 'cpuset', 'cpuset.mems') == read(root.resolve('cpuset.mems'))
        p.waitFor(30, TimeUnit.SECONDS)
        p.exitValue() == 0
        read(tmp.resolve('out')).readLines().findAll { it.endsWith("/${cgroups.parent()}/cpuset") }.size() ==
                cg.joinDirs().size()
    }

    def "a cgroup frozen through the v1 freezer is still killed and removed by close()"() {
        given:
        def cg = create('frozen', Resources.NONE)
        started << startIn(cg, "exec $BUSYBOX sleep 600", tmp)
        assert waitFor(30_000) { cg.pids().size() == 1 }
        long pid = cg.pids()[0]
        def state = cg.dirs().freezer.resolve('freezer.state')
        Files.writeString(state, 'FROZEN')
        assert waitFor(10_000) { read(state) == 'FROZEN' }

        when:
        cg.close()

        then:
        cg.joinDirs().every { !Files.exists(it) }
        waitFor(10_000) { !alive(pid) }
    }
}

package io.cgroovy.runtime.cgroup

import io.cgroovy.runtime.ContainerException
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

import static io.cgroovy.runtime.cgroup.CgroupTestSupport.*

/** What is specific to cgroup v2 (users' hosts; the UML guest here): one directory, controllers passed down. */
@Requires(value = { CgroupTestSupport.isRoot() && CgroupTestSupport.hostVersion() == 'v2' }, reason = "the v2 files: this host's /sys/fs/cgroup is cgroup v1 (the UML guest run has them)")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CgroupV2Spec extends Specification {
    static final long MiB = 1024 * 1024

    @Shared CgroupsV2 cgroups
    @TempDir Path tmp
    List<ContainerCgroup> made = []
    List<Process> started = []
    List<Path> extraDirs = [] // made by a feature itself, removed deepest first

    def setupSpec() {
        cgroups = Cgroups.detect(uniqueParent('v2')) as CgroupsV2
    }

    def cleanup() {
        started.each { it.destroyForcibly() }
        made.each { it.close() }
        extraDirs.reverse().findAll { Files.isDirectory(it) }.each {
            CgroupFs.killAll([it])
            CgroupFs.removeTree(it)
        }
    }

    def cleanupSpec() {
        cgroups?.removeParent()
        assert cgroups == null || cgroups.parentDirs().every { !Files.exists(it) }
    }

    ContainerCgroup create(String id, Resources r) {
        def cg = cgroups.create(id, r)
        made << cg
        cg
    }

    static Set<String> words(Path p) { read(p).split(/\s+/).findAll() as Set }

    def "one directory under the cgroup2 root; the controllers are enabled in the parent's subtree_control"() {
        when:
        def cg = create('layout', new Resources(32 * MiB, null, 0.5d, null, 20))
        def wanted = words(cgroups.root().resolve('cgroup.controllers')).intersect(['memory', 'cpu', 'pids', 'io'] as Set)

        then:
        cgroups.root() == Path.of('/sys/fs/cgroup')
        cg.joinDirs() == [cgroups.parentDir().resolve('layout')]
        cg.v2Dir().get() == cg.joinDirs()[0]
        words(cgroups.parentDir().resolve('cgroup.subtree_control')).containsAll(wanted)
        words(cg.v2Dir().get().resolve('cgroup.controllers')).containsAll(['memory', 'cpu', 'pids'])
    }

    def "limits land in the v2 files"() {
        when:
        def dir = create('files', new Resources(32 * MiB, null, 0.5d, 512L, 20)).v2Dir().get()

        then:
        read(dir.resolve('memory.max')) == "${32 * MiB}"
        read(dir.resolve('memory.swap.max')) == "${32 * MiB}" // unset: as much swap as memory, like Docker
        read(dir.resolve('cpu.max')) == '50000 100000'
        read(dir.resolve('cpu.weight')) == '20'
        read(dir.resolve('pids.max')) == '20'
    }

    def "memory+swap becomes memory.swap.max = memorySwap - memory, -1 max"() {
        expect:
        read(create('swap-' + n, new Resources(32 * MiB, swap, null, null, null)).v2Dir().get().resolve('memory.swap.max')) == want

        where:
        n | swap     || want
        1 | 48 * MiB || "${16 * MiB}"
        2 | -1L      || 'max'
        3 | 32 * MiB || '0'
    }

    def "a limit whose controller the parent does not pass down is an error naming the controller"() {
        given: 'a delegated subtree that only passes pids down'
        def top = cgroups.root().resolve(uniqueParent('deleg'))
        Files.createDirectory(top); extraDirs << top
        Files.writeString(top.resolve('cgroup.subtree_control'), '+pids')
        def delegated = top.resolve('d')
        Files.createDirectory(delegated); extraDirs << delegated
        def sub = Cgroups.v2(delegated, 'p')
        extraDirs << delegated.resolve('p')

        when:
        sub.create('needsmem', new Resources(32 * MiB, null, null, null, null))

        then:
        def e = thrown(ContainerException)
        e.message.startsWith("cgroup v2 controller memory is not available in ${delegated}/p/needsmem/cgroup.controllers")
        !Files.exists(delegated.resolve('p/needsmem'))

        when: 'pids is passed down'
        def ok = sub.create('pidsonly', new Resources(null, null, null, null, 5))
        made << ok

        then:
        read(ok.v2Dir().get().resolve('pids.max')) == '5'
    }

    def "close() kills a frozen cgroup through cgroup.kill"() {
        given:
        def cg = create('frozen', Resources.NONE)
        def dir = cg.v2Dir().get()
        started << startIn(cg, "$BUSYBOX sleep 600 & exec $BUSYBOX sleep 600", tmp)
        assert waitFor(30_000) { cg.pids().size() == 2 }
        def pids = cg.pids()
        Files.writeString(dir.resolve('cgroup.freeze'), '1')
        assert waitFor(10_000) { read(dir.resolve('cgroup.events')).contains('frozen 1') }

        when:
        cg.close()

        then:
        !Files.exists(dir)
        waitFor(10_000) { pids.every { !alive(it) } }
    }

    def "processes in a child cgroup the container made are killed and the child removed too"() {
        given:
        def cg = create('nested', Resources.NONE)
        def dir = cg.v2Dir().get()
        started << startIn(cg, "mkdir '$dir/leaf' && echo \$\$ > '$dir/leaf/cgroup.procs' && exec $BUSYBOX sleep 600", tmp)
        assert waitFor(30_000) { Files.exists(dir.resolve('leaf/cgroup.procs')) && read(dir.resolve('leaf/cgroup.procs')) }
        long pid = read(dir.resolve('leaf/cgroup.procs')).toLong()

        when:
        cg.close()

        then:
        !Files.exists(dir)
        waitFor(10_000) { !alive(pid) }
    }
}

package io.cgroovy.runtime.cgroup

import io.cgroovy.runtime.ContainerException
import spock.lang.Specification

import java.nio.file.Path

/** Layout detection from mountinfo text in the kernel's format (lines as real hosts print them). */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class CgroupMountsSpec extends Specification {

    static final String HYBRID = '''\
22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
'''

    def "hybrid: v1 is used, combined cpu,cpuacct share one directory, the controller-less cgroup2 is ignored"() {
        when:
        def m = CgroupMounts.parse(HYBRID)
        def cg = m.cgroups('cgroovy')

        then:
        m.v2Root() == null
        cg instanceof CgroupsV1
        cg.version() == 'v1'
        def h = (cg as CgroupsV1).hierarchies()
        h.cpu == Path.of('/sys/fs/cgroup/cpu,cpuacct')
        h.cpuacct == Path.of('/sys/fs/cgroup/cpu,cpuacct')
        h.memory == Path.of('/sys/fs/cgroup/memory')
        !h.containsKey('blkio')
        cg.parentDirs() == ['memory', 'cpu,cpuacct', 'cpuset', 'pids', 'devices', 'freezer']
                .collect { Path.of('/sys/fs/cgroup', it, 'cgroovy') }
    }

    def "unified: cgroup2 at /sys/fs/cgroup is v2"() {
        given:
        def text = '''\
25 1 0:23 / /sys rw - sysfs sysfs rw
26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
'''
        when:
        def cg = CgroupMounts.parse(text).cgroups('a/b')

        then:
        cg.version() == 'v2'
        cg.parentDirs() == [Path.of('/sys/fs/cgroup/a/b')]
    }

    def "cgroup2 elsewhere and no v1 controllers is v2 there; escaped mount points are decoded"() {
        given:
        def text = '30 1 0:40 / /mnt/my\\040cgroup rw - cgroup2 none rw\n'

        expect:
        CgroupMounts.parse(text).cgroups('x').parentDirs() == [Path.of('/mnt/my cgroup/x')]
    }

    def "no cgroup filesystem at all is an error saying so"() {
        when:
        CgroupMounts.parse('22 1 0:21 / /sys rw - sysfs sysfs rw\n').cgroups('cgroovy')

        then:
        def e = thrown(ContainerException)
        e.message.startsWith('no cgroup filesystem is mounted')
    }

    def "parent names are relative paths of plain segments"() {
        expect:
        CgroupMounts.parse(HYBRID).cgroups(given).parentDirs()[0] == Path.of('/sys/fs/cgroup/memory', want)

        where:
        given         | want
        'cgroovy'     | 'cgroovy'
        '/cgroovy/'   | 'cgroovy'
        'ci/job-7'    | 'ci/job-7'
    }

    def "bad parent names are refused"() {
        when:
        CgroupMounts.parse(HYBRID).cgroups(parent)

        then:
        def e = thrown(ContainerException)
        e.message.startsWith('invalid cgroup parent')

        where:
        parent << ['', '/', 'a/../b', 'a b', '..']
    }

    def "shares convert to cpu.weight as runc and crun do"() {
        expect:
        Limits.sharesToWeight(shares) == weight

        where:
        shares | weight
        2      | 1
        512    | 20
        1024   | 39
        262144 | 10000
    }
}

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

/**
 * The behaviour every cgroup version must have, on whatever this kernel has (v1 on the build machines, v2 in the
 * UML guest): real processes join the container cgroup and hit real limits.
 */
@Requires({ CgroupTestSupport.isRoot() })
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CgroupSpec extends Specification {
    static final long MiB = 1024 * 1024

    @Shared Cgroups cgroups
    @TempDir Path tmp
    List<ContainerCgroup> made = []
    List<Process> started = []

    def setupSpec() {
        cgroups = Cgroups.detect(uniqueParent('common'))
    }

    def cleanup() {
        started.each { it.destroyForcibly() }
        made.each { it.close() }
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

    Process start(ContainerCgroup cg, String script) {
        def p = startIn(cg, script, tmp)
        started << p
        p
    }

    def "detects the version /sys/fs/cgroup really is"() {
        expect:
        cgroups.version() == hostVersion()
        cgroups.parentDirs().every { it.fileName.toString().startsWith('cgroovy-test-common-') }
    }

    def "a process allocating past a 32m memory limit is OOM-killed and oomKilled() says so"() {
        given:
        def cg = create('oom', new Resources(32 * MiB, null, null, null, null))

        expect: 'nothing killed yet'
        !cg.oomKilled()

        when: 'dd reads 200 MB into one buffer (resident, beyond memory and memory+swap; one read, fast in the UML guest too)'
        def p = start(cg, "exec $BUSYBOX dd if=/dev/zero of=/dev/null bs=200M count=1; echo survived")
        boolean exited = p.waitFor(150, TimeUnit.SECONDS)

        then:
        exited
        p.exitValue() == 137 // SIGKILL
        !read(tmp.resolve('out')).contains('survived')
        cg.oomKilled()
        cg.stats().oomKills() >= 1

        when: 'the engine cleans up before asking'
        cg.close()

        then:
        cg.joinDirs().every { !Files.exists(it) }
        cg.oomKilled()
    }

    def "a process below the memory limit is left alone"() {
        given:
        def cg = create('nooom', new Resources(64 * MiB, null, null, null, null))

        when: 'dd reads 10 MB into one buffer'
        def p = start(cg, "$BUSYBOX dd if=/dev/zero of=/dev/null bs=10000000 count=1 2>/dev/null && echo survived")

        then:
        p.waitFor(150, TimeUnit.SECONDS)
        p.exitValue() == 0
        read(tmp.resolve('out')) == 'survived'
        !cg.oomKilled()
        cg.stats().memoryMaxUsageBytes() == null || cg.stats().memoryMaxUsageBytes() >= 10_000_000
    }

    def "pids.max 20 stops a fork loop: forks fail and pids.current never exceeds 20"() {
        given:
        def cg = create('forks', new Resources(null, null, null, null, 20))
        def count = tmp.resolve('count')

        when: 'the shell starts 50 sleepers'
        def p = start(cg, """i=0
            while [ \$i -lt 50 ]; do $BUSYBOX sleep 600 & i=\$((i+1)); echo \$i > '$count'; done
            echo all-forked""")
        long highest = 0
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            highest = Math.max(highest, cg.stats().pidsCurrent())
        }
        def stats = cg.stats()
        highest = Math.max(highest, stats.pidsCurrent())

        then: 'the shell died of a failed fork, after at most 19 sleepers'
        p.exitValue() != 0
        !read(tmp.resolve('out')).contains('all-forked')
        read(tmp.resolve('err')).contains('fork')
        read(count).toInteger() <= 19
        highest <= 20
        stats.pidsMax() == 20
        stats.pidsCurrent() == read(count).toLong() // the sleepers outlive their shell
        cg.pids().size() == stats.pidsCurrent()
    }

    def "a cpu quota of 0.1 CPU throttles a busy loop: throttled periods grow"() {
        given:
        def cg = create('cpu', new Resources(null, null, 0.1d, 512L, null))
        Path cpuStat = cg.joinDirs().collect { it.resolve('cpu.stat') }.find { Files.exists(it) }

        expect: 'not throttled before anything runs'
        throttled(cpuStat) == 0

        when:
        start(cg, 'while :; do :; done')

        then: 'the kernel throttles it period after period and counts the cpu time'
        waitFor(60_000) { throttled(cpuStat) >= 3 }
        long first = throttled(cpuStat)
        waitFor(60_000) { throttled(cpuStat) >= first + 3 }
        waitFor(20_000) { cg.stats().cpuUsageNanos() > 0 }
        cg.stats().cpuThrottledPeriods() >= first + 3
    }

    static long throttled(Path cpuStat) {
        Files.readAllLines(cpuStat).find { it.startsWith('nr_throttled ') }.split(' ')[1].toLong()
    }

    def "freeze() stops the processes, thaw() lets them run again"() {
        given:
        def cg = create('pause', Resources.NONE)
        start(cg, 'while :; do :; done')
        assert waitFor(20_000) { cg.stats().cpuUsageNanos() > 0 }

        expect:
        !cg.frozen()

        when:
        cg.freeze()
        long before = cg.stats().cpuUsageNanos()
        Thread.sleep(500)
        long after = cg.stats().cpuUsageNanos()

        then: 'a busy loop that uses no CPU for half a second is stopped'
        cg.frozen()
        after == before

        when:
        cg.thaw()

        then:
        !cg.frozen()
        waitFor(20_000) { cg.stats().cpuUsageNanos() > after }
    }

    def "stats read back usage and limits"() {
        given:
        def cg = create('stats', new Resources(64 * MiB, null, null, null, 50))

        when: 'dd holds a 12 MB buffer, blocked writing it to a pipe nobody reads'
        start(cg, "$BUSYBOX dd if=/dev/zero bs=12000000 count=1 | $BUSYBOX sleep 600")
        Path usageFile = hostVersion() == 'v2' ? cg.joinDirs()[0].resolve('memory.current')
                : cg.joinDirs().find { it.toString().contains('/memory/') }.resolve('memory.usage_in_bytes')
        assert waitFor(120_000) { read(usageFile).toLong() >= 12_000_000 }
        long before = read(usageFile).toLong()
        def s = cg.stats()
        long after = read(usageFile).toLong()

        then: 'usage is what the kernel file says, read independently around the call'
        Math.abs(s.memoryUsageBytes() - before) <= MiB || Math.abs(s.memoryUsageBytes() - after) <= MiB
        s.memoryLimitBytes() == 64 * MiB
        s.memoryUsageBytes() <= 64 * MiB
        s.memoryMaxUsageBytes() == null || s.memoryMaxUsageBytes() >= 12_000_000
        s.cpuUsageNanos() > 0
        s.pidsCurrent() == 3 // sh, dd, sleep
        s.pidsMax() == 50
        s.oomKills() == 0
        cg.pids().size() == 3
    }

    @Requires(value = { CgroupTestSupport.hasCpuset() }, reason = 'needs the cpuset controller (the UML guest kernel has none; its error case runs there instead)')
    def "cpuset '0': the process may run on CPU 0 only"() {
        given:
        def cg = create('cpuset', Resources.NONE.withCpuset('0', null))

        when:
        def p = start(cg, "exec $BUSYBOX sleep 600")

        then: 'the kernel says so for the process itself'
        waitFor(20_000) { cpusAllowed(p.pid()) == '0' }
        read(cg.joinDirs().find { Files.exists(it.resolve('cpuset.cpus')) }.resolve('cpuset.cpus')) == '0'
    }

    @Requires(value = { !CgroupTestSupport.hasCpuset() }, reason = 'runs where the cpuset controller is missing (the UML guest); here it is present')
    def "cpuset where the kernel has no cpuset controller is a one-line error saying so, and nothing is left"() {
        when:
        cgroups.create('nocpuset', Resources.NONE.withCpuset('0', null))

        then:
        def e = thrown(ContainerException)
        e.message.contains('controller cpuset is not available')
        e.message.contains('drop the cpuset limit')
        !e.message.contains('\n')
        cgroups.parentDirs().every { !Files.exists(it.resolve('nocpuset')) }
    }

    def "a cpuset that is not a cpu list is refused before anything is made"() {
        when:
        cgroups.create('badcpuset', Resources.NONE.withCpuset('0-', null))

        then:
        def e = thrown(ContainerException)
        e.message == "cpuset cpus '0-' is not a list like 0-1 or 0,2"
        cgroups.parentDirs().every { !Files.exists(it.resolve('badcpuset')) }
    }

    def "blkio weight lands in the weight file the kernel has, or the error names what is missing"() {
        given: 'what this kernel offers: the weight files a plain sibling cgroup gets (not on the root, so look there)'
        def names = ['io.weight', 'io.bfq.weight', 'blkio.weight', 'blkio.bfq.weight']
        boolean weights = create('probe', Resources.NONE).joinDirs().any { d -> names.any { Files.exists(d.resolve(it)) } }

        when:
        ContainerCgroup cg = null
        Exception error = null
        try {
            cg = create('blkio', Resources.NONE.withIo(500, []))
        } catch (ContainerException e) {
            error = e
        }

        then:
        if (weights) {
            assert error == null
            Path dir = cg.joinDirs().find { d -> names.any { Files.exists(d.resolve(it)) } }
            Path f = names.collect { dir.resolve(it) }.find { Files.exists(it) }
            // io.weight takes 1..10000: runc's conversion of Docker's 500 is 4950
            assert read(f).readLines()[0] in ['default 4950', 'default 500', '500']
        } else {
            assert error.message.contains('has no weight file')
            assert error.message.contains('drop the blkio weight')
            assert cgroups.parentDirs().every { !Files.exists(it.resolve('blkio')) }
        }
    }

    @Requires(value = { CgroupTestSupport.blockDevice() != null }, reason = 'needs a block device (the UML guest has none)')
    def "device read bps and write iops land in the throttle files (v1 blkio.throttle.*, v2 io.max)"() {
        given: 'a block device and its numbers from /sys/block'
        def (String dev, String majMin) = CgroupTestSupport.blockDevice()

        when:
        def cg = create('throttle', Resources.NONE.withIo(null, [new Resources.IoLimit(dev, 'readBps', 1048576),
                                                                  new Resources.IoLimit(dev, 'writeIops', 100)]))

        then:
        if (hostVersion() == 'v2') {
            assert read(cg.joinDirs()[0].resolve('io.max')) == "$majMin rbps=1048576 wbps=max riops=max wiops=100"
        } else {
            Path blkio = cg.joinDirs().find { Files.exists(it.resolve('blkio.throttle.read_bps_device')) }
            assert read(blkio.resolve('blkio.throttle.read_bps_device')) == "$majMin 1048576"
            assert read(blkio.resolve('blkio.throttle.write_iops_device')) == "$majMin 100"
        }
    }

    def "a device limit on something that is not a block device is a one-line error naming it"() {
        when:
        cgroups.create('notablock', Resources.NONE.withIo(null, [new Resources.IoLimit('/dev/null', 'readBps', 1)]))

        then:
        def e = thrown(ContainerException)
        e.message == 'device /dev/null is not a block device (give one like /dev/vda)'
    }

    def "an unlimited cgroup reports no limits"() {
        when:
        def s = create('nolimits', Resources.NONE).stats()

        then:
        s.memoryLimitBytes() == null
        s.pidsMax() == null
        s.pidsCurrent() == 0
    }

    def "close() kills every process, removes every directory and is idempotent"() {
        given:
        def cg = create('closing', new Resources(64 * MiB, null, null, null, 100))
        def p = start(cg, "$BUSYBOX sleep 600 & $BUSYBOX sleep 600 & echo started; wait")
        assert waitFor(60_000) { cg.pids().size() == 3 }
        def pids = cg.pids()

        when:
        cg.close()

        then:
        p.waitFor(30, TimeUnit.SECONDS)
        waitFor(10_000) { pids.every { !alive(it) } } // gone once their new parent has reaped them
        cg.joinDirs().every { !Files.exists(it) }
        !cgroups.containerIds().contains('closing')
        !cgroups.open('closing').present

        when: 'closed again'
        cg.close()

        then:
        noExceptionThrown()
    }

    def "open() re-attaches to an existing container cgroup, cleanupStale() removes the dead ones"() {
        given:
        def live = create('live', new Resources(null, null, null, null, 10))
        def stale = create('stale', Resources.NONE)
        start(stale, "exec $BUSYBOX sleep 600")
        assert waitFor(60_000) { stale.pids().size() == 1 }
        long sleeper = stale.pids()[0]

        expect:
        cgroups.open('live').get().joinDirs() == live.joinDirs()
        cgroups.open('live').get().stats().pidsMax() == 10
        !cgroups.open('never').present

        when:
        def removed = cgroups.cleanupStale(['live'] as Set)

        then:
        removed == ['stale']
        cgroups.containerIds() == ['live']
        waitFor(10_000) { !alive(sleeper) }
        stale.joinDirs().every { !Files.exists(it) }
    }

    def "invalid resources are refused with a message naming the value, and nothing is created"() {
        when:
        cgroups.create('bad', r)

        then:
        def e = thrown(ContainerException)
        e.message.contains(text)
        !e.message.contains('\n')
        cgroups.containerIds().every { it != 'bad' }

        where:
        r                                                          | text
        new Resources(4096L, null, null, null, null)               | 'memory limit 4096 bytes is below the minimum of 6m'
        new Resources(-1L, null, null, null, null)                 | 'memory limit -1'
        new Resources(64 * MiB, 32 * MiB, null, null, null)        | 'memory+swap limit 33554432 bytes is smaller than the memory limit 67108864'
        new Resources(null, 64 * MiB, null, null, null)            | 'memory+swap limit 67108864 needs a memory limit'
        new Resources(null, null, 0d, null, null)                  | 'cpus 0.0 is not a positive number'
        new Resources(null, null, Double.NaN, null, null)          | 'cpus NaN'
        new Resources(null, null, null, 1L, null)                  | 'cpu shares 1 out of range 2..262144'
        new Resources(null, null, null, 300000L, null)             | 'cpu shares 300000 out of range'
        new Resources(null, null, null, null, 0L)                  | 'pids limit 0 must be at least 1'
    }

    def "a value the kernel rejects names the file, the value and the errno, and removes what was created"() {
        when: 'memory and pids are written first, then a 100us cpu quota the kernel refuses (minimum 1ms)'
        cgroups.create('kernelsaysno', new Resources(64 * MiB, null, 0.001d, null, 10))

        then:
        def e = thrown(ContainerException)
        e.message ==~ /cgroup cpu: cannot write '100( 100000)?' to \/.*\/kernelsaysno\/cpu\.(cfs_quota_us|max): Invalid argument/
        cgroups.containerIds().every { it != 'kernelsaysno' }
        cgroups.parentDirs().every { !Files.exists(it.resolve('kernelsaysno')) }
    }

    def "a second cgroup with the same id is refused and the first one is untouched"() {
        given:
        def first = create('twice', new Resources(null, null, null, null, 7))

        when:
        cgroups.create('twice', Resources.NONE)

        then:
        def e = thrown(ContainerException)
        e.message.contains('already exists')
        e.message.contains('twice')
        first.joinDirs().every { Files.isDirectory(it) }
        first.stats().pidsMax() == 7
    }

    def "container ids that are not plain names are refused"() {
        when:
        cgroups.create(id, Resources.NONE)

        then:
        def e = thrown(ContainerException)
        e.message.contains('invalid container id')

        where:
        id << ['../escape', 'a/b', '', '.hidden', 'x' * 200]
    }
}

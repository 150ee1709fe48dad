package io.cgroovy.runtime.inspect

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.TestEngine
import io.cgroovy.runtime.TestImages
import io.cgroovy.runtime.cgroup.Resources
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * The views of a running container compared with ground truth the spec reads itself from /proc and /sys.
 * The container runs in the foreground in another thread (found by name), as a detached one would.
 */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(300)
class InspectSpec extends Specification {
    static final long MiB = 1024 * 1024
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('inspect')
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String name = 'inspect-' + UUID.randomUUID().toString().substring(0, 8)
    @Shared Thread runner
    @Shared RunResult result
    @Shared long pid

    def setupSpec() {
        // dd holds an 8 MB buffer, blocked writing it into a pipe nobody reads
        def settings = new ContainerSettings('test/busybox', name, ['sh', '-c', 'dd if=/dev/zero bs=8M count=1 | sleep 600'],
                [:], null, null, null, new Resources(64 * MiB, null, 0.5d, null, 20L))
        runner = Thread.start { result = engine.run(image, settings, Stdio.of(null, new ByteArrayOutputStream(), new ByteArrayOutputStream())) }
        long end = System.currentTimeMillis() + 120_000
        while (true) {
            try {
                pid = engine.initPid(name)
                if (engine.cgroupOf(name).stats().pidsCurrent() >= 3) break
            } catch (RuntimeException notYet) {
                if (System.currentTimeMillis() > end) throw notYet
            }
            assert System.currentTimeMillis() < end: 'the container did not start'
            Thread.sleep(50)
        }
    }

    // the fixture goes after this, also when it fails
    def cleanupSpec() {
        if (pid > 0) ProcessHandle.of(pid).ifPresent { it.destroyForcibly() }
        runner?.join(60_000)
    }

    static long nsInode(String path) { Files.readSymbolicLink(Path.of(path)).toString().replaceAll(/.*\[(\d+)\]/, '$1').toLong() }

    def "namespaces: the container's own pid, mnt, net, uts, ipc and cgroup namespaces, the host's user namespace"() {
        when:
        def view = Namespaces.of(pid).collectEntries { [it.type(), it] }

        then: 'the inodes are those of /proc/PID/ns, and differ from the host where isolated'
        view.pid.inode() == nsInode("/proc/$pid/ns/pid")
        view.pid.inode() != nsInode('/proc/self/ns/pid')
        ['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup'].every { !view[it].sharedWithHost() && view[it].inode() == nsInode("/proc/$pid/ns/$it") }
        view.user.sharedWithHost()
        view.user.inode() == nsInode('/proc/self/ns/user')
    }

    def "cgroup: a 64 MiB limit shows as such, usage is what memory.current / usage_in_bytes says, cpu quota and pids match the files"() {
        given:
        def cg = engine.cgroupOf(name)
        boolean v2 = cg.v2Dir().isPresent()
        Path memDir = v2 ? cg.v2Dir().get() : cg.joinDirs().find { it.toString().contains('/memory/') }
        Path usageFile = memDir.resolve(v2 ? 'memory.current' : 'memory.usage_in_bytes')
        Path pidsDir = v2 ? memDir : cg.joinDirs().find { it.toString().contains('/pids/') }

        and: 'dd has filled its buffer (slow in the UML guest): the file says so'
        long end = System.currentTimeMillis() + 120_000
        while (Files.readString(usageFile).trim().toLong() < 8 * MiB && System.currentTimeMillis() < end) Thread.sleep(50)

        when:
        long before = Files.readString(usageFile).trim().toLong()
        def view = CgroupView.of(cg)
        long after = Files.readString(usageFile).trim().toLong()

        then:
        view.version() == (v2 ? 'v2' : 'v1')
        view.stats().memoryLimitBytes() == 64 * MiB
        view.stats().memoryUsageBytes() >= 8 * MiB // dd's buffer
        Math.abs(view.stats().memoryUsageBytes() - before) <= MiB || Math.abs(view.stats().memoryUsageBytes() - after) <= MiB
        view.stats().cpuQuotaUs() == 50000
        view.stats().cpuPeriodUs() == 100000
        view.stats().pidsCurrent() == Files.readString(pidsDir.resolve('pids.current')).trim().toLong()
        view.stats().pidsMax() == 20
        view.toMap().memory.limit == 64 * MiB
        view.toString().readLines().every { it.length() <= 80 }
        view.toString() =~ /memory \d+\.\dMiB used of 64\.0MiB/
    }

    def "mounts: the container's mount table as its mountinfo says, the overlay at /"() {
        given: 'the mount points read independently'
        def truth = Files.readAllLines(Path.of("/proc/$pid/mountinfo")).collect { it.split(' ')[4] }

        when:
        def view = Mounts.of(pid)

        then:
        view*.mountPoint() == truth
        view.find { it.mountPoint() == '/' }.fsType() == 'overlay'
        view.find { it.mountPoint() == '/proc' }.fsType() == 'proc'
        view.find { it.mountPoint() == '/sys/fs/cgroup' || it.mountPoint().startsWith('/sys/fs/cgroup/') }.options().startsWith('ro')
    }

    def "explain(): one tree of namespaces, cgroup and mounts, no line wider than 80 columns"() {
        when:
        String tree = Explain.of(name, pid, engine.cgroupOf(name))

        then:
        tree.readLines().every { it.length() <= 80 }
        tree.readLines()[0] == "container $name (host pid $pid)"
        tree.contains('own: mnt uts ipc pid net cgroup')
        tree.contains('shared with the host: user')
        tree.contains('pids   3 of 20') || tree.contains('pids 3 of 20')
        tree.readLines().count { it.contains('overlay') } >= 1
    }
}

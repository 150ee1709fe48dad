package io.cgroovy.runtime.cgroup

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Helpers for the cgroup integration specs: real processes joined to real cgroups, no mocks. */
class CgroupTestSupport {
    static final String BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find { new File(it).canExecute() } ?: '/bin/busybox'

    static boolean isRoot() {
        new File('/proc/self/status').readLines().find { it.startsWith('Uid:') }?.split(/\s+/)?.getAt(1) == '0'
    }

    /**
     * What the host's /sys/fs/cgroup is, decided independently of the code under test: statfs(2) f_type through
     * stat, CGROUP2_SUPER_MAGIC 0x63677270 = v2, anything else (tmpfs holding v1 hierarchies) = v1.
     */
    static String hostVersion() {
        def p = [BUSYBOX, 'stat', '-f', '-c', '%t', '/sys/fs/cgroup'].execute()
        String t = p.text.trim()
        p.waitFor(30, TimeUnit.SECONDS)
        t == '63677270' ? 'v2' : 'v1'
    }

    /** Whether this kernel's cgroups offer cpuset: a v1 cpuset hierarchy, or cpuset in the v2 root's cgroup.controllers. */
    static boolean hasCpuset() {
        if (hostVersion() == 'v1') return Files.isDirectory(Path.of('/sys/fs/cgroup/cpuset'))
        Files.readString(Path.of('/sys/fs/cgroup/cgroup.controllers')).trim().split(/\s+/).contains('cpuset')
    }

    /** Cpus_allowed_list of a process, from /proc. */
    static String cpusAllowed(long pid) {
        new File("/proc/$pid/status").readLines().find { it.startsWith('Cpus_allowed_list:') }?.split(/\s+/)?.getAt(1)
    }

    /** [/dev path, "major:minor"] of the first whole-disk block device with a node in /dev, or null. */
    static List<String> blockDevice() {
        def disks = Path.of('/sys/block').toFile().listFiles()?.findAll { !it.name.startsWith('loop') && !it.name.startsWith('ram') }?.sort { it.name }
        def d = disks?.find { new File('/dev/' + it.name).exists() && new File(it, 'dev').exists() }
        d == null ? null : ['/dev/' + d.name, new File(d, 'dev').text.trim()]
    }

    static String detectedVersion() {
        try {
            return Cgroups.detect('cgroovy').version()
        } catch (Exception ignored) {
            return 'none'
        }
    }

    static String uniqueParent(String spec) {
        "cgroovy-test-${spec}-${ProcessHandle.current().pid()}-${Long.toHexString(System.nanoTime())}"
    }

    /**
     * Starts busybox sh that writes its pid into each join dir's cgroup.procs (what the C executor does after
     * clone), then runs {@code script}. stdout/stderr go to files in {@code tmp}.
     */
    static Process startIn(ContainerCgroup cg, String script, Path tmp) {
        Path joined = tmp.resolve('joined')
        String join = cg.joinDirs().collect { "echo \$\$ > '${it}/cgroup.procs' || exit 97" }.join('\n')
        def pb = new ProcessBuilder(BUSYBOX, 'sh', '-c', join + "\n: > '$joined'\n" + script)
        pb.redirectOutput(tmp.resolve('out').toFile())
        pb.redirectError(tmp.resolve('err').toFile())
        pb.directory(tmp.toFile())
        def p = pb.start()
        // fail here, with the shell's words, if joining did not work (rather than in a later wait)
        long end = System.currentTimeMillis() + 60_000
        while (!Files.exists(joined)) {
            if (!p.alive && !Files.exists(joined)) {
                throw new AssertionError("the test process could not join ${cg.joinDirs()}: exit ${p.exitValue()}, "
                        + Files.readString(tmp.resolve('err')).trim())
            }
            if (System.currentTimeMillis() > end) {
                p.destroyForcibly()
                throw new AssertionError("the test process did not join ${cg.joinDirs()} within 60 s")
            }
            Thread.sleep(5)
        }
        p
    }

    /** Waits until {@code condition} holds (polling), false on timeout. */
    static boolean waitFor(long timeoutMs, Closure<Boolean> condition) {
        long end = System.currentTimeMillis() + timeoutMs
        while (System.currentTimeMillis() < end) {
            if (condition()) return true
            Thread.sleep(20)
        }
        condition()
    }

    static boolean alive(long pid) { ProcessHandle.of(pid).map { it.alive }.orElse(false) }

    static String read(Path p) { Files.readString(p).trim() }
}

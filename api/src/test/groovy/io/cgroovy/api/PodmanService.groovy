package io.cgroovy.api

import java.nio.file.Files
import java.nio.file.Path

/**
 * A real `podman system service` (Debian's podman, the peer) on a unix socket in a temp dir, with
 * storage, run dir, tmp dir and network configs of its own there (vfs storage: plain files, no mounts),
 * so the machine's podman state is never touched. Machine facts (HOST-NOTES): cgroupfs, file events,
 * runc (crun refuses the hybrid cgroup layout), ulimits podman can set without CAP_SYS_RESOURCE.
 */
class PodmanService implements Closeable {
    final Path tmp
    final Path socket
    private Process process

    /** Why podman cannot run here, or null. */
    static String unavailable() {
        for (String bin : ['/usr/bin/podman', '/usr/bin/conmon']) {
            if (!Files.isExecutable(Path.of(bin))) return "${bin} is not installed".toString()
        }
        if (!['/usr/sbin/runc', '/usr/bin/runc'].any { Files.isExecutable(Path.of(it)) }) return 'runc is not installed'
        null
    }

    /** {@code insecureRegistry}: host:port podman may pull from over plain HTTP (a local docker-registry), or null. */
    PodmanService(String insecureRegistry = null) {
        tmp = Files.createTempDirectory('cgroovy-podman-svc-')
        socket = tmp.resolve('podman.sock')
        Files.createDirectories(tmp.resolve('networks'))
        String runtime = Files.isExecutable(Path.of('/usr/sbin/runc')) ? '/usr/sbin/runc' : '/usr/bin/runc'
        Files.writeString(tmp.resolve('containers.conf'), """\
            [containers]
            default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
            [network]
            network_config_dir = "${tmp.resolve('networks')}"
            [engine]
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            runtime = "${runtime}"
            """.stripIndent())
        Files.writeString(tmp.resolve('registries.conf'), 'unqualified-search-registries = []\n' +
                (insecureRegistry ? "[[registry]]\nlocation = \"${insecureRegistry}\"\ninsecure = true\n" : ''))
        for (Path h : io.cgroovy.testing.CgroupLeakExtension.hierarchies()) {
            for (String n : PODMAN_CGROUPS) if (Files.isDirectory(h.resolve(n))) cgroupsBefore << h.resolve(n)
        }
        legacyIptables()
        ProcessBuilder pb = new ProcessBuilder(podman('system', 'service', '--time=0', "unix://${socket}".toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve('service.log').toFile())
        env(pb)
        process = pb.start()
        long end = System.currentTimeMillis() + 30_000
        while (!Files.exists(socket) && process.alive && System.currentTimeMillis() < end) Thread.sleep(50)
        if (!Files.exists(socket)) {
            String log = Files.readString(tmp.resolve('service.log'))
            close()
            throw new IllegalStateException("podman system service did not start: ${log.readLines().take(3).join(' / ')}")
        }
    }

    /**
     * A kernel without nftables (the UML guest) still has iptables-legacy: CNI's plugins find `iptables` on the
     * PATH, so this service's PATH starts with a dir where the iptables names are the legacy tools (as
     * update-alternatives would set them), for this service only.
     */
    private void legacyIptables() {
        if (run('unshare', '-n', 'nft', 'add', 'table', 'inet', 'cgroovy_probe')) return
        if (!run('unshare', '-n', 'iptables-legacy', '-w', '-t', 'nat', '-N', 'CGROOVY-PROBE')) return
        Path bin = Files.createDirectories(tmp.resolve('bin'))
        for (String t : ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore']) {
            Files.createSymbolicLink(bin.resolve(t), Path.of('/usr/sbin/' + t.replace('tables', 'tables-legacy')))
        }
        path = "${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".toString()
    }

    private String path

    private static boolean run(String... cmd) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        p.inputStream.text
        p.waitFor() == 0
    }

    /**
     * Podman's cgroupfs manager makes libpod_parent (containers, conmon) and, on a cgroup v2 root that holds
     * processes, "init", where it moves the root's processes to enable controllers. Those it made for this
     * service are removed when it stops, deepest first (init's processes moved back to the root first).
     */
    static final List<String> PODMAN_CGROUPS = ['libpod_parent', 'init']
    private final Set<Path> cgroupsBefore = new HashSet<>()

    private void removeCgroups() {
        for (Path h : io.cgroovy.testing.CgroupLeakExtension.hierarchies()) {
            for (String n : PODMAN_CGROUPS) {
                Path top = h.resolve(n)
                if (cgroupsBefore.contains(top) || !Files.isDirectory(top)) continue
                List<Path> dirs = Files.walk(top).withCloseable { st -> st.filter { Files.isDirectory(it) }.toList() }
                for (Path d : dirs.sort(false) { Path p -> -p.nameCount }) {
                    long end = System.currentTimeMillis() + 10_000
                    while (Files.isDirectory(d)) {
                        // only "init" holds processes podman moved; libpod_parent's conmon ones are on their way out
                        if (n == 'init') for (String pid : Files.readAllLines(d.resolve('cgroup.procs'))) {
                            try {
                                Files.writeString(h.resolve('cgroup.procs'), pid)
                            } catch (IOException ignored) {
                                // gone meanwhile
                            }
                        }
                        if (['rmdir', d.toString()].execute().waitFor() == 0) break
                        if (System.currentTimeMillis() > end) break   // still in use (the guest's leak check names it)
                        Thread.sleep(100)
                    }
                }
            }
        }
    }

    String address() { "unix://${socket}".toString() }

    List<String> podman(String... args) {
        ['podman', '--root', tmp.resolve('root').toString(), '--runroot', tmp.resolve('run').toString(),
         '--storage-driver', 'vfs', '--tmpdir', tmp.resolve('tmp').toString()] + args.toList()
    }

    private void env(ProcessBuilder pb) {
        pb.environment().put('CONTAINERS_CONF', tmp.resolve('containers.conf').toString())
        pb.environment().put('CONTAINERS_REGISTRIES_CONF', tmp.resolve('registries.conf').toString())
        if (path) pb.environment().put('PATH', path)
        pb.environment().put('TMPDIR', Files.createDirectories(tmp.resolve('tmp')).toString())
    }

    /** Runs the podman CLI on the same storage; [exit status, output]. */
    List cli(String... args) {
        ProcessBuilder pb = new ProcessBuilder(podman(args)).redirectErrorStream(true)
        env(pb)
        Process p = pb.start()
        p.outputStream.close()
        String out = p.inputStream.text
        [p.waitFor(), out]
    }

    /** Removes the containers, volumes and networks the spec made there. */
    void clean() {
        cli('rm', '-af', '-t', '0')
        cli('volume', 'rm', '-af')
        cli('network', 'prune', '-f')
    }

    /**
     * conmon of an exec session may outlive its container by podman's exit delay: any process whose command
     * line names this service's temp dir was started by it, and is stopped by its PID.
     */
    private void stopLeftovers() {
        List<ProcessHandle> mine = ProcessHandle.allProcesses().filter { ProcessHandle h ->
            h.info().arguments().map { String[] a -> a.any { String x -> x.contains(tmp.toString()) } }.orElse(false)
        }.toList()
        mine.each { it.destroy() }
        mine.each { it.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS) }
    }

    @Override void close() {
        try {
            if (process != null) {
                clean()
                process.destroy()   // SIGTERM to the PID it started; podman service stops its listener
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly()
                    process.waitFor()
                }
            }
            stopLeftovers()
            removeCgroups()
        } finally {
            // vfs storage holds plain files only; nothing is mounted under tmp
            ['rm', '-rf', '--one-file-system', tmp.toString()].execute().waitFor()
        }
    }
}

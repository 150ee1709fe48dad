package io.cgroovy.runtime

import io.cgroovy.image.ImageConfig
import io.cgroovy.image.Snapshot

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

/** Real image layers for specs: Debian's busybox-static in a layer dir, built by the spec itself. */
class TestImages {
    static final Path BUSYBOX = Paths.get('/bin/busybox')

    static boolean isRoot() {
        new com.sun.security.auth.module.UnixSystem().uid == 0
    }

    /** The engine's firewall can work in this kernel (nftables or iptables-legacy). */
    static boolean firewallWorks() { io.cgroovy.testing.KernelProbes.firewallWorks() }

    /**
     * Two layers under {@code dir}/layers: the lower has busybox, its applet links, /etc/passwd and
     * /etc/group and a file /etc/hidden; the upper adds /etc/upper and whites out /etc/hidden.
     */
    static Snapshot busybox(Path dir, Map<String, Object> config = [:]) {
        Path lower = dir.resolve('layers/lower')
        Path upper = dir.resolve('layers/upper')
        Files.createDirectories(lower.resolve('bin'))
        Files.createDirectories(lower.resolve('etc'))
        Files.createDirectories(lower.resolve('tmp'))
        Files.createDirectories(upper.resolve('etc'))
        Files.copy(BUSYBOX, lower.resolve('bin/busybox'))
        def applets = ['/bin/busybox', '--list'].execute().text.readLines()*.trim().findAll { it && it != 'busybox' }
        applets.each { Files.createSymbolicLink(lower.resolve('bin').resolve(it), Paths.get('busybox')) }
        Files.writeString(lower.resolve('etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n')
        Files.writeString(lower.resolve('etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nextra:x:2000:app\n')
        Files.writeString(lower.resolve('etc/hidden'), 'from the lower layer\n')
        Files.writeString(upper.resolve('etc/upper'), 'from the upper layer\n')
        def mk = ['mknod', upper.resolve('etc/hidden').toString(), 'c', '0', '0'].execute()
        mk.waitFor()
        assert mk.exitValue() == 0
        def cfg = new ImageConfig()
        cfg.architecture = 'amd64'
        cfg.os = 'linux'
        cfg.config.env = (config.env ?: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']) as List<String>
        cfg.config.cmd = (config.cmd ?: ['sh']) as List<String>
        cfg.config.entrypoint = config.entrypoint as List<String>
        cfg.config.workingDir = config.workingDir as String
        cfg.config.user = config.user as String
        new Snapshot('sha256:' + '0' * 64, 'test/busybox', [lower, upper], cfg)
    }

    /** rm -r that never crosses into another filesystem. */
    static void removeAll(Path dir) {
        if (dir != null && Files.exists(dir)) Engine.removeTree(dir)
    }
}

// N detached `sleep` containers: cgroovy (this JVM, engine warm) vs `podman run -d`; time and monitor memory.
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import java.nio.file.Files
import java.nio.file.Path

int n = (args ? args[0] : '50') as int
def tmp = Files.createTempDirectory('cgroovy-detach-bench-')
def tag = 'cgroovy-bench-' + ProcessHandle.current().pid()
Engine engine = Engine.open(tmp.resolve('root'), tag)
def ptmp = Files.createTempDirectory(Path.of('/tmp'), 'pd') // podman wants a runroot under 50 characters
def podmanRoot = ptmp.resolve('r'), podmanRunroot = ptmp.resolve('rr')
def podmanParent = "/${tag}-podman".toString()
List<String> podman = ['podman', '--root', podmanRoot.toString(), '--runroot', podmanRunroot.toString(),
                       '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay',
                       '--runtime', 'runc'] // crun 1.8 refuses this hybrid cgroup layout (HOST-NOTES.md)

def sh = { List<String> cmd ->
    def p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null'))).start()
    def out = p.inputStream.text
    if (p.waitFor() != 0) throw new IllegalStateException("${cmd.join(' ')}: ${out.trim()}")
    out.trim()
}
def kib = { long pid, String file, String key ->
    def line = new File("/proc/${pid}/${file}").readLines().find { it.startsWith(key + ':') }
    line == null ? 0L : (line.split(/\s+/)[1] as long)
}
def mib = { double k -> String.format('%.2f MiB', k / 1024) }

try {
    // the same busybox for both: cgroovy's image, exported as an OCI layout, copied by skopeo into a docker archive for podman
    engine.images().ensureDefaultBusybox()
    engine.images().save('busybox', tmp.resolve('oci'), 'oci')
    sh(['skopeo', 'copy', "oci:${tmp.resolve('oci')}".toString(), "docker-archive:${tmp.resolve('busybox.tar')}:localhost/busybox:latest".toString()])
    sh(podman + ['load', '-q', '-i', tmp.resolve('busybox.tar').toString()])

    def settings = new ContainerSettings('busybox', null, ['sleep', '3600'], [:], null, null, null, null)
    def podmanRun = podman + ['run', '-d', '--network', 'none', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768',
                              '--cgroup-parent', podmanParent, 'localhost/busybox:latest', 'sleep', '3600']

    // warm-up: one of each, removed
    engine.remove(engine.runDetached(settings, DetachOptions.DEFAULT).id(), true)
    sh(podman + ['rm', '-f', sh(podmanRun)])

    long t0 = System.nanoTime()
    List<String> ours = (1..n).collect { engine.runDetached(settings, DetachOptions.DEFAULT).id() }
    long cgroovyNs = System.nanoTime() - t0

    t0 = System.nanoTime()
    List<String> theirs = (1..n).collect { sh(podmanRun) }
    long podmanNs = System.nanoTime() - t0

    assert engine.ps(false).size() == n
    List<Long> monitors = ours.collect { engine.inspect(it).pid() }.collect { long pid -> ProcessHandle.of(pid).get().parent().get().pid() }
    List<Long> conmons = theirs.collect { sh(podman + ['inspect', '--format', '{{.State.ConmonPid}}', it]) as long }
    double ourRss = monitors.sum { kib(it, 'status', 'VmRSS') } / n, theirRss = conmons.sum { kib(it, 'status', 'VmRSS') } / n
    double ourPss = monitors.sum { kib(it, 'smaps_rollup', 'Pss') } / n, theirPss = conmons.sum { kib(it, 'smaps_rollup', 'Pss') } / n

    println "detached sleep containers: ${n} each"
    println String.format('cgroovy (warm JVM)     %8.2f s  (%.1f ms each)', cgroovyNs / 1e9, cgroovyNs / 1e6 / n)
    println String.format('podman run -d          %8.2f s  (%.1f ms each)', podmanNs / 1e9, podmanNs / 1e6 / n)
    println String.format('time ratio cgroovy/podman: %.2f  (goal: at most 0.50)', cgroovyNs / (double) podmanNs)
    println "monitor RSS per container: cgroovy-monitor ${mib(ourRss)}, conmon ${mib(theirRss)}, ratio ${String.format('%.2f', ourRss / theirRss)} (goal: at most 1.00)"
    println "monitor PSS per container: cgroovy-monitor ${mib(ourPss)}, conmon ${mib(theirPss)}, ratio ${String.format('%.2f', ourPss / theirPss)}"
} finally {
    for (def c : engine.ps(true)) { try { engine.remove(c.id(), true) } catch (Exception e) { System.err.println("cleanup: ${e.message}") } }
    try { sh(podman + ['stop', '-a', '-t', '0']); sh(podman + ['rm', '-af']) } catch (Exception e) { System.err.println("cleanup: ${e.message}") }
    try { sh(podman + ['system', 'reset', '-f']) } catch (Exception e) { System.err.println("cleanup: ${e.message}") }
    // mounts podman may have left under its root, deepest first
    new File('/proc/self/mountinfo').readLines().collect { it.split(' ')[4] }.findAll { it.startsWith(ptmp.toString()) || it.startsWith(tmp.toString()) }
            .sort { -it.length() }.each { new ProcessBuilder('umount', '-l', it).start().waitFor() }
    // podman made its cgroup parent in every hierarchy (the named systemd one and cgroup2 too)
    new File('/sys/fs/cgroup').listFiles().each { File h ->
        def p = new File(h, podmanParent.substring(1))
        if (p.isDirectory()) new ProcessBuilder('find', p.toString(), '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';').start().waitFor()
    }
    engine.cgroups().removeParent()
    io.cgroovy.runtime.Engine.removeTree(tmp)
    new ProcessBuilder('rm', '-rf', '--one-file-system', ptmp.toString()).inheritIO().start().waitFor()
}

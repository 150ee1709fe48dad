// Measures one container start+wait+cleanup for cgroovy and crun, both spawned from this JVM.
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.Stdio
import java.nio.file.Files
import java.nio.file.Path

int n = (args ? args[0] : '200') as int
def tmp = Files.createTempDirectory('cgroovy-bench-')
def parent = 'cgroovy-bench-' + ProcessHandle.current().pid()
Engine engine = Engine.open(tmp.resolve('root'), parent)
def bundle = tmp.resolve('bundle')
boolean mounted = false

def sh = { List<String> cmd ->
    def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
    def out = p.inputStream.text
    if (p.waitFor() != 0) throw new IllegalStateException("${cmd.join(' ')}: ${out.trim()}")
    out
}
def median = { List<Long> xs -> def s = xs.sort(false); s.size() % 2 ? s[s.size().intdiv(2)] : (s[s.size().intdiv(2) - 1] + s[s.size().intdiv(2)]).intdiv(2) }
def ms = { long ns -> String.format('%.2f ms', ns / 1e6) }

try {
    engine.images().ensureDefaultBusybox()
    def snap = engine.images().snapshot('busybox')
    def settings = new ContainerSettings('busybox', null, ['true'], [:], null, null, null, null)

    // crun gets a bundle cgroovy wrote, over the very same layer directories.
    def spec = engine.writeBundle(snap, settings, bundle)
    spec.linux.cgroupsPath = "/$parent/crun".toString()
    spec.write(bundle.resolve('config.json'))
    def lower = snap.layers().reverse()*.toString().join(':')
    sh(['mount', '-t', 'overlay', 'overlay', '-o', "lowerdir=${lower},upperdir=${bundle.resolve('upper')},workdir=${bundle.resolve('work')}".toString(),
        bundle.resolve('rootfs').toString()])
    mounted = true

    def quiet = Stdio.of(null, null, null)
    def runCgroovy = {
        def r = engine.run(settings, quiet)
        if (r.exitCode() != 0) throw new IllegalStateException("cgroovy run exited ${r.exitCode()}")
    }
    int id = 0
    def runCrun = {
        def p = new ProcessBuilder('crun', 'run', '--bundle', bundle.toString(), "${parent}-${id++}".toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        int rc = p.waitFor()
        if (rc != 0) throw new IllegalStateException("crun run exited $rc")
    }
    def time = { Closure c ->
        (1..20).each { c() }                      // warm-up: JIT, page cache
        (1..n).collect { long t0 = System.nanoTime(); c(); System.nanoTime() - t0 }
    }
    def crunTimes = time(runCrun)
    def cgTimes = time(runCgroovy)
    long mc = median(crunTimes), mg = median(cgTimes)
    println "start of 'true' in busybox, median of $n runs (spawned from one warm JVM)"
    println "  cgroovy: ${ms(mg)}"
    println "  crun:    ${ms(mc)}"
    println String.format('  ratio cgroovy/crun: %.2f', mg / (double) mc)
} finally {
    if (mounted) sh(['umount', bundle.resolve('rootfs').toString()])
    engine.cgroups().removeParent()
    // crun makes the parent in every hierarchy (systemd too); remove what is left, empty by now
    new File('/sys/fs/cgroup').eachDir { h -> def p = new File(h, parent); if (p.isDirectory()) p.delete() }
    sh(['rm', '-rf', '--one-file-system', tmp.toString()])
}

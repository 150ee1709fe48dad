// Measures one container start+wait+cleanup for cgroovy and crun, both spawned from this JVM.
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.Networking
import io.cgroovy.runtime.net.Netns
import io.cgroovy.runtime.net.NetworkSettings
import io.cgroovy.runtime.net.Networks
import io.cgroovy.runtime.Stdio
import java.nio.file.Files
import java.nio.file.Path

int n = (args ? args[0] : '200') as int
def tmp = Files.createTempDirectory('cgroovy-bench-')
def parent = 'cgroovy-bench-' + ProcessHandle.current().pid()
Engine engine = Engine.open(tmp.resolve('root'), parent)
def bundle = tmp.resolve('bundle')
boolean mounted = false
int nBridge = (args && args.length > 1 ? args[1] : '50') as int
int nPodman = (args && args.length > 2 ? args[2] : '20') as int
String netName = null
Path podRoot = tmp.resolve('podman')
boolean podmanUsed = false
boolean podmanBridgeExisted = new File('/sys/class/net/podman0').exists() || new File('/sys/class/net/cni-podman0').exists()

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
    def time = { int count, Closure c ->
        (1..Math.min(20, count)).each { c() }     // warm-up: JIT, page cache
        (1..count).collect { long t0 = System.nanoTime(); c(); System.nanoTime() - t0 }
    }
    def crunTimes = time(n, runCrun)
    def cgTimes = time(n, runCgroovy)
    long mc = median(crunTimes), mg = median(cgTimes)
    println "start of 'true' in busybox, median of $n runs (spawned from one warm JVM)"
    println "  cgroovy: ${ms(mg)}"
    println "  crun:    ${ms(mc)}"
    println String.format('  ratio cgroovy/crun: %.2f', mg / (double) mc)

    // ---- bridge network: a user network (its own free 10.89.x.0/24): bridge, veth, address, route over rtnetlink, nftables
    netName = 'bench' + ProcessHandle.current().pid()
    engine.networks().create(new NetworkSettings(netName, null, null, null, null, false))
    def bridged = settings.withNetwork(Networking.of([netName], [:], []))
    def bridgeTimes = time.curry(nBridge)({ def r = engine.run(bridged, quiet); if (r.exitCode() != 0) throw new IllegalStateException("bridge run exited ${r.exitCode()}") })
    // the network part alone: netns + veth, address, route (+ hosts, firewall if changed), then release + netns removal;
    // a new id each time, as each container has (the kernel may still be deleting the last one's veth)
    def member = null
    def nsFile = null
    int memberNo = 0
    def attachTimes = [], detachTimes = []
    time.curry(nBridge)({
        member = new Networks.Member(String.format('f%063x', memberNo++), 'bench', 'bench')
        nsFile = engine.networks().netnsFile(member.id())
        long t0 = System.nanoTime()
        Netns.create(nsFile)
        engine.networks().attach(member, bridged.network())
        long t1 = System.nanoTime()
        engine.networks().detachAll(member.id())
        Netns.remove(nsFile)
        attachTimes << t1 - t0; detachTimes << System.nanoTime() - t1
    })
    // a veth pair made, brought up and deleted (synchronously) in one `ip -batch`: what a synchronous teardown would wait for
    int v = 0
    def vethTimes = time.curry(nBridge)({
        String a = "cgbv${ProcessHandle.current().pid() % 10000}x${v++ % 100}"
        def p = new ProcessBuilder('ip', '-batch', '-').redirectErrorStream(true).start()
        p.outputStream.withWriter { it << "link add ${a}a type veth peer name ${a}b\nlink set ${a}a up\nlink del ${a}a\n" }
        def o = p.inputStream.text
        if (p.waitFor() != 0) throw new IllegalStateException("ip -batch: $o")
    })
    long mb = median(bridgeTimes)
    println "start of 'true' in busybox on a bridge network, median of $nBridge runs"
    println "  cgroovy, network none:   ${ms(mg)}"
    println "  cgroovy, bridge network: ${ms(mb)}  (network setup ${ms(median(attachTimes))}, teardown ${ms(median(detachTimes))})"
    println "  veth pair add+up+del in one ip -batch exec (a synchronous veth delete, which teardown leaves to the kernel): ${ms(median(vethTimes))}"
    println String.format('  ratio cgroovy bridge/none: %.2f, cgroovy bridge/crun (none): %.2f', mb / (double) mg, mb / (double) mc)

    // ---- podman run --network bridge, throwaway root, busybox copied in by skopeo from our store
    if (new File('/usr/bin/podman').canExecute() && nPodman > 0) {
        podmanUsed = true
        def layout = tmp.resolve('oci')
        engine.images().save('busybox', layout, 'oci')
        def store = "containers-storage:[overlay@${podRoot.resolve('root')}+${podRoot.resolve('run')}]"
        sh(['skopeo', 'copy', '--quiet', "oci:${layout}".toString(), "${store}localhost/busybox:latest".toString()])
        def podman = ['podman', '--root', podRoot.resolve('root').toString(), '--runroot', podRoot.resolve('run').toString(),
                      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay']
        def podRun = { String net ->
            def p = new ProcessBuilder(podman + ['run', '--rm', '--network', net, '--ulimit', 'nofile=20000:20000',
                    '--ulimit', 'nproc=32768:32768', 'localhost/busybox', 'true'])
                    .redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start()
            def o = p.inputStream.text
            if (p.waitFor() != 0) throw new IllegalStateException("podman run --network $net: $o")
        }
        def podNone = time.curry(nPodman)({ podRun('none') })
        def podBridge = time.curry(nPodman)({ podRun('bridge') })
        long pn = median(podNone), pb = median(podBridge)
        println "podman run --rm busybox true, median of $nPodman runs"
        println "  podman, network none:   ${ms(pn)}"
        println "  podman, network bridge: ${ms(pb)}"
        println String.format('  ratio cgroovy/podman: none %.2f, bridge %.2f', mg / (double) pn, mb / (double) pb)
    }
} catch (Throwable e) {
    e.printStackTrace()
    throw e
} finally {
    try { if (nsFile != null) Netns.remove(nsFile) } catch (Exception ignored) { }
    if (netName != null) try { engine.networks().remove(netName) } catch (Exception e) { println "bench: ${e.message}" }
    if (podmanUsed) {
        new ProcessBuilder('podman', '--root', podRoot.resolve('root').toString(), '--runroot', podRoot.resolve('run').toString(),
                '--cgroup-manager', 'cgroupfs', '--storage-driver', 'overlay', 'system', 'reset', '--force')
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()
        // podman leaves its default bridge up; remove it only if this run made it
        if (!podmanBridgeExisted) ['podman0', 'cni-podman0'].each { if (new File("/sys/class/net/$it").exists()) sh(['ip', 'link', 'del', it]) }
    }
    if (mounted) sh(['umount', bundle.resolve('rootfs').toString()])
    engine.cgroups().removeParent()
    // crun makes the parent in every hierarchy (systemd too); remove what is left, empty by now
    new File('/sys/fs/cgroup').eachDir { h -> def p = new File(h, parent); if (p.isDirectory()) p.delete() }
    sh(['rm', '-rf', '--one-file-system', tmp.toString()])
}

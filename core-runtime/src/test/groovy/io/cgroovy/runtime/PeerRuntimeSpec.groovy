package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** The bundle cgroovy writes is a standard OCI bundle: runc and crun run it. */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(120)
class PeerRuntimeSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('peer')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String cgroupParent = fixture.cgroupParent

    static Map sh(List<String> cmd) {
        def p = new ProcessBuilder(cmd).start()
        def err = new ByteArrayOutputStream()
        def errPump = Thread.start { err << p.errorStream }
        def out = p.inputStream.text
        p.waitFor()
        errPump.join()
        [code: p.exitValue(), out: out, err: err.toString()]
    }

    static boolean onPath(String tool) {
        System.getenv('PATH').split(':').any { Files.isExecutable(Path.of(it, tool)) }
    }

    @IgnoreIf({ !PeerRuntimeSpec.onPath(data.runtime as String) })
    def "#runtime runs the bundle's config.json and sees what cgroovy sets up"() {
        given:
        def bundle = tmp.resolve('bundle-' + runtime)
        def spec = engine.writeBundle(image, new ContainerSettings('test/busybox', null,
                ['sh', '-c', 'hostname; id -u; grep CapEff /proc/self/status; echo $GREETING; pwd'],
                [GREETING: 'hi'], 'peerbox', '/tmp', null, null), bundle)
        spec.linux.cgroupsPath = "/$cgroupParent/$runtime"
        spec.write(bundle.resolve('config.json'))
        def lower = image.layers().reverse()*.toString().join(':')
        def m = sh(['mount', '-t', 'overlay', 'overlay', '-o', "lowerdir=$lower,upperdir=${bundle.resolve('upper')},workdir=${bundle.resolve('work')}".toString(),
                    bundle.resolve('rootfs').toString()])
        assert m.code == 0: m.err
        def name = 'cgroovy-peer-' + UUID.randomUUID().toString().substring(0, 8)
        when:
        def r = runtime == 'runc'
                ? sh(['runc', 'run', '--bundle', bundle.toString(), name])
                : sh(['unshare', '-m', '--propagation', 'private', 'sh', '-c',
                      'if grep -q " /sys/fs/cgroup/unified " /proc/self/mountinfo; then umount /sys/fs/cgroup/unified; fi; exec crun run --bundle "$0" "$1"',
                      bundle.toString(), name])
        then:
        r.code == 0
        r.out == 'peerbox\n0\nCapEff:\t00000000a80425fb\nhi\n/tmp\n'
        cleanup:
        sh([runtime, 'delete', '--force', name])
        sh(['umount', bundle.resolve('rootfs').toString()])
        // the runtimes remove the container's cgroups, not the parent this spec named
        Files.newDirectoryStream(Path.of('/sys/fs/cgroup')).withCloseable { ds ->
            ds.each { Path h -> if (Files.isDirectory(h.resolve(cgroupParent))) Files.delete(h.resolve(cgroupParent)) }
        }
        // on cgroup v2 the parent is directly under the one hierarchy
        if (Files.isDirectory(Path.of('/sys/fs/cgroup', cgroupParent))) Files.delete(Path.of('/sys/fs/cgroup', cgroupParent))
        where:
        runtime << ['runc', 'crun']
    }
}

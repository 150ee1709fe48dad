package io.cgroovy.runtime

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.cgroup.Resources
import org.opentest4j.TestAbortedException
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * userns (docker run --userns-remap, podman --uidmap 0:100000:65536): root in the container is an
 * unprivileged uid on the host, sees the image's files as its own, and keeps Docker's other defaults.
 */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(240)
class UsernsSpec extends Specification {
    static final long HOST_ID = 100000
    static final Security.UserNamespace NS = new Security.UserNamespace(HOST_ID, 65536)

    @Shared @AutoCleanup TestEngine fixture = new TestEngine('userns')
    @Shared Path tmp = fixture.tmp
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine
    @Shared String cgroupParent = fixture.cgroupParent

    def setupSpec() {
        Path lower = image.layers()[0]
        // a file only root may read, and a setuid file: both must look the same to the container's root
        Files.writeString(lower.resolve('etc/secret'), 'only root\n')
        Files.setPosixFilePermissions(lower.resolve('etc/secret'), PosixFilePermissions.fromString('rw-------'))
        Files.writeString(lower.resolve('bin/suid'), '#!/bin/sh\n')
        ['chmod', '4755', lower.resolve('bin/suid').toString()].execute().waitFor()
    }

    def cleanup() {
        System.clearProperty('cgroovy.userns.layers')
        assert !new File('/proc/self/mountinfo').text.contains(tmp.toString())
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.isAlive() }.count() == 0
    }

    ContainerSettings settings(Map opts = [:], List<String> cmd) {
        def sec = new Security([], [], false, null, opts.readOnly as boolean, opts.containsKey('userns') ? opts.userns : NS, [])
        new ContainerSettings('test/busybox', opts.name as String, cmd, [:], null, null, opts.user as String,
                opts.resources as Resources, sec, opts.mounts as List ?: [], false, opts.network as Networking)
    }

    Map run(Map opts = [:], List<String> cmd) {
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        RunResult r = engine.run(image, settings(opts, cmd), Stdio.of(null, out, err))
        [out: out.toString(), err: err.toString(), code: r.exitCode()]
    }

    static long owner(Path p) { Files.getAttribute(p, 'unix:uid', LinkOption.NOFOLLOW_LINKS) as long }

    static String statusLine(long pid, String key) {
        new File("/proc/$pid/status").readLines().find { it.startsWith(key + ':') }.split(/\s+/)[1..-1].join(' ')
    }

    def "root in the container is uid #HOST_ID on the host: the process's Uid/Gid there, the image's files its own inside"() {
        given:
        String id = engine.runDetached(image, settings(['sleep', '60']), DetachOptions.DEFAULT).id()

        when:
        long pid = engine.inspect(id).pid()
        def out = new ByteArrayOutputStream()
        int code = engine.exec(id, new ExecSettings(['sh', '-c', 'id -u; id -g; stat -c "%u:%g %a" /bin/busybox /bin/suid /etc/secret /; cat /etc/secret; cat /proc/self/uid_map'], null, null, null),
                Stdio.of(null, out, new ByteArrayOutputStream()))
        long execPid = -1

        then: 'the host sees the mapped ids (real, effective, saved, fs)'
        statusLine(pid, 'Uid') == "$HOST_ID $HOST_ID $HOST_ID $HOST_ID"
        statusLine(pid, 'Gid') == "$HOST_ID $HOST_ID $HOST_ID $HOST_ID"
        new File("/proc/$pid/uid_map").text.trim().split(/\s+/) as List == ['0', "$HOST_ID", '65536']

        and: 'inside, root owns the image: a root-only file is readable, a setuid bit is kept'
        code == 0
        out.toString() == "0\n0\n0:0 755\n0:0 4755\n0:0 600\n0:0 755\nonly root\n" + out.toString().readLines()[-1] + "\n"
        out.toString().readLines()[-1].trim().split(/\s+/) as List == ['0', "$HOST_ID", '65536']

        cleanup:
        engine.remove(id, true)
    }

    def "a file created as root in a bind mount is owned by the mapped uid on the host (#how layers)"() {
        given:
        if (how) System.setProperty('cgroovy.userns.layers', how)
        Path data = Files.createDirectories(tmp.resolve("data-$how"))
        data.toFile().setWritable(true, false)
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString('rwxrwxrwx'))

        when:
        def r = run([mounts: [MountSpec.bind(data.toString(), '/data', false)]],
                ['sh', '-c', 'echo hi > /data/made && mkdir /data/dir && touch /newfile && stat -c %u:%g /newfile /tmp /etc/hidden 2>&1; ls /etc'])

        then:
        r.code == 0
        owner(data.resolve('made')) == HOST_ID
        owner(data.resolve('dir')) == HOST_ID
        (Files.getAttribute(data.resolve('made'), 'unix:gid') as long) == HOST_ID
        r.out.readLines()[0] == '0:0'
        r.out.readLines()[1] == '0:0'
        r.out.contains("stat: can't stat '/etc/hidden'")    // the upper layer's whiteout still hides it
        r.out.contains('upper\n')

        and: 'the copy path keeps shifted copies under <root>/userns; the idmapped path makes none'
        Files.isDirectory(engine.root().resolve("userns/$HOST_ID-65536")) == (how == 'copy' || (how == '' && !idmapHere()))

        where:
        how << ['', 'copy']
    }

    boolean idmapHere() {
        UsernsRootfs.idmapped(engine.executor(), image.layers()[0], NS)
    }

    def "idmapped layers where the kernel allows them (#kernel)"() {
        given:
        if (!idmapHere()) throw new TestAbortedException("the layers' filesystem (${Files.getFileStore(image.layers()[0]).type()}) on Linux ${kernel} refuse idmapped mounts: the engine uses shifted copies there (feature above)")
        System.setProperty('cgroovy.userns.layers', 'idmap')

        when:
        def r = run(['sh', '-c', 'stat -c "%u:%g" /bin/busybox /etc/secret; cat /etc/secret; echo x > /etc/secret && echo rewritten'])

        then:
        r.out == '0:0\n0:0\nonly root\nrewritten\n'
        Files.readString(image.layers()[0].resolve('etc/secret')) == 'only root\n'   // the copy-up went to the upper dir

        where:
        kernel = System.getProperty('os.version')
    }

    def "the container's root cannot do what host root could"() {
        given: 'a root-owned host file, bind-mounted read-write'
        Path hostFile = tmp.resolve('host-owned')
        Files.writeString(hostFile, 'host\n')
        Files.setPosixFilePermissions(hostFile, PosixFilePermissions.fromString('rw-r--r--'))

        when:
        def r = run([mounts: [MountSpec.bind(hostFile.toString(), '/host-owned', false)]],
                ['sh', '-c', 'echo changed > /host-owned || echo refused-write; touch /f; chown 70000 /f || echo refused-chown; ' +
                        'stat -c %u:%g /host-owned; grep CapEff /proc/self/status; grep Seccomp: /proc/self/status; grep NoNewPrivs /proc/self/status; ' +
                        'cat /proc/kcore | wc -c; mount -t tmpfs none /mnt && echo mounted; echo 1 > /proc/sys/kernel/domainname || echo ro-proc-sys'])

        then:
        Files.readString(hostFile) == 'host\n'
        r.out.readLines() == ['refused-write', 'refused-chown', '65534:65534', 'CapEff:\t00000000a80425fb', 'Seccomp:\t2', 'NoNewPrivs:\t1', '0', 'ro-proc-sys']
    }

    def "cgroup limits, /proc, /sys, /dev and /dev/pts work in the user namespace; a read-only root stays read-only"() {
        when:
        def r = run([resources: new Resources(64L * 1024 * 1024, null, null, null, 20L), readOnly: true],
                ['sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ' +
                        'cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; ls /sys/class/net; echo $$; ' +
                        'ls /dev/null /dev/pts/ptmx /dev/shm >/dev/null && echo dev-ok; echo x > /dev/null && echo null-ok; touch /x || echo ro-root'])

        then:
        r.err.contains('Read-only file system')
        r.out.readLines() == ['67108864', '20', 'lo', '1', 'dev-ok', 'null-ok', 'ro-root']
    }

    def "shifted copies of a layer that is gone are removed when an engine opens the state root"() {
        given: 'an image whose layers are copies of the test image, run with shifted copies'
        System.setProperty('cgroovy.userns.layers', 'copy')
        Path layers = tmp.resolve('gone-image')
        image.layers().eachWithIndex { Path l, int i -> ['cp', '-a', l.toString(), layers.resolve("l$i").toString()].with { Files.createDirectories(layers); it.execute().waitFor() } }
        def gone = new Snapshot(image.imageId(), image.reference(), [layers.resolve('l0'), layers.resolve('l1')], image.config())
        engine.run(gone, settings(['true']), Stdio.of(null, new ByteArrayOutputStream(), new ByteArrayOutputStream()))
        Path range = engine.root().resolve("userns/$HOST_ID-65536")
        def copies = { Files.list(range).withCloseable { s -> s.map { it.fileName.toString() }.filter { it.startsWith('l0-') || it.startsWith('l1-') }.toList() } }
        assert copies().size() == 4   // two copies and their .source files

        when:
        TestImages.removeAll(layers)
        Engine.open(engine.root(), cgroupParent).close()

        then:
        copies() == []
        Files.list(range).withCloseable { it.count() } > 0   // the test image's copies stay
    }

    def "misuse is a one-line error: host id 0, a bad size, a user outside the range"() {
        when:
        new Security.UserNamespace(hostId, size)

        then:
        def e = thrown(ContainerException)
        e.message == message

        where:
        hostId | size              || message
        0      | 65536             || 'userns: the host id must be > 0 (root in the container must not be root on the host), not 0'
        100000 | 0                 || 'userns: the range size must be 1..4294867295 (host ids end at 4294967294), not 0'
        100000 | 0xffff_ffffL      || 'userns: the range size must be 1..4294867295 (host ids end at 4294967294), not 4294967295'
        -5     | 10                || 'userns: the host id must be > 0 (root in the container must not be root on the host), not -5'
    }

    def "a user outside the mapped range is refused before anything starts"() {
        when:
        run([userns: new Security.UserNamespace(HOST_ID, 1000), user: '1000'], ['true'])

        then:
        def e = thrown(ContainerException)
        e.message == 'user 1000:1000 is outside the user namespace (ids 0..999)'
    }
}

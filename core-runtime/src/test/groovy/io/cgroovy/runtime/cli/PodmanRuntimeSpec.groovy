package io.cgroovy.runtime.cli

import io.cgroovy.runtime.TestImages
import io.cgroovy.testing.CgroupLeakExtension
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

/**
 * Podman runs containers through scripts/cgroovy-runtime (its OCI runtime, in place of runc): a busybox
 * image built with umoci, turned into a docker-archive by skopeo and loaded into a throwaway podman
 * store; podman's own storage, run dir, tmpdir, cgroup parent and the runtime's state root are all
 * under the spec's temporary directory.
 */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(600)
@Stepwise
class PodmanRuntimeSpec extends Specification {
    @Shared Path tmp
    @Shared Path wrapper
    @Shared String cgroupParent = 'cgroovy-test-' + UUID.randomUUID().toString().substring(0, 8)

    static Map sh(List cmd, Map<String, String> env = [:]) {
        def pb = new ProcessBuilder(cmd.collect { it.toString() })
        pb.environment().putAll(env)
        def p = pb.start()
        def out = new StringBuilder(), err = new StringBuilder()
        // waits for the readers too: consumeProcessOutput + waitFor could give an empty out of a command that
        // printed (seen as podman ps or inspect printing nothing under load)
        p.waitForProcessOutput(out, err)
        [code: p.exitValue(), out: out.toString(), err: err.toString()]
    }

    List<String> podman(String... args) {
        ['podman', '--root', "$tmp/root", '--runroot', "$tmp/runroot", '--tmpdir', "$tmp/tmpdir", '--cgroup-manager', 'cgroupfs',
         '--events-backend', 'file', '--runtime', wrapper.toString()] + (args as List)
    }

    static final List<String> RUN = ['--network', 'none', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768']

    List<String> left() {
        Files.list(tmp.resolve('runtime-root')).withCloseable { s -> s.map { it.fileName.toString() }.filter { it != 'bin' }.toList() }
    }

    def setupSpec() {
        tmp = Files.createTempDirectory('cgroovy-podman-')
        // the runtime command with this build's classes (no Maven build inside a test) and its own state root
        // (given here: podman's exit command calls "delete" without the --runtime-flag options)
        wrapper = tmp.resolve('cgroovy-runtime')
        Path script = Paths.get('..', 'scripts', 'cgroovy-runtime').toAbsolutePath().normalize()
        // every call podman and conmon make is logged (with what "state" answered): the failure message shows them
        Files.writeString(wrapper, """#!/bin/sh
export CGROOVY_RUNTIME_CLASSPATH='${System.getProperty('java.class.path')}'
echo "\$(date +%T.%N) [\$\$] \$*" >> '$tmp/calls.log'
case " \$* " in *" state "*)
  out=\$('$script' --root '$tmp/runtime-root' "\$@"); rc=\$?
  echo "\$(date +%T.%N) [\$\$] rc=\$rc \$(echo "\$out" | tr -d '\\n')" >> '$tmp/calls.log'
  [ -n "\$out" ] && echo "\$out"; exit \$rc;;
esac
exec '$script' --root '$tmp/runtime-root' "\$@"
""")
        wrapper.toFile().setExecutable(true)
        // busybox as an OCI layout (umoci), then a docker-archive (skopeo), loaded into podman's store
        Path oci = tmp.resolve('oci')
        assert sh(['umoci', 'init', '--layout', oci.toString()]).code == 0
        assert sh(['umoci', 'new', '--image', "$oci:busybox".toString()]).code == 0
        Path bundle = tmp.resolve('unpacked')
        assert sh(['umoci', 'unpack', '--image', "$oci:busybox".toString(), bundle.toString()]).code == 0
        Path bin = bundle.resolve('rootfs/bin')
        Files.createDirectories(bin)
        Files.createDirectories(bundle.resolve('rootfs/tmp'))
        assert sh(['chmod', '1777', bundle.resolve('rootfs/tmp').toString()]).code == 0
        Files.copy(TestImages.BUSYBOX, bin.resolve('busybox'))
        ['/bin/busybox', '--list'].execute().text.readLines()*.trim().findAll { it && it != 'busybox' }.each {
            Files.createSymbolicLink(bin.resolve(it), Paths.get('busybox'))
        }
        assert sh(['umoci', 'repack', '--image', "$oci:busybox".toString(), bundle.toString()]).code == 0
        assert sh(['umoci', 'config', '--image', "$oci:busybox".toString(), '--config.cmd', 'sh']).code == 0
        def copy = sh(['skopeo', 'copy', '-q', "oci:$oci:busybox".toString(), "docker-archive:$tmp/busybox.tar:localhost/busybox:latest".toString()])
        assert copy.code == 0: copy.err
        def load = sh(podman('load', '-q', '-i', "$tmp/busybox.tar".toString()))
        assert load.code == 0: load.err
    }

    def cleanupSpec() {
        if (tmp == null) return
        try {
            sh(podman('rm', '-af', '-t', '0'))
            sh(podman('rmi', '-af'))
            sh(['podman', '--root', "$tmp/root".toString(), '--runroot', "$tmp/runroot".toString(), '--storage-driver', 'overlay', 'system', 'reset', '-f'])
        } finally {
            // podman's storage may hold overlay mounts under tmp: unmount before removing anything
            new File('/proc/self/mountinfo').readLines().collect { it.split(' ')[4] }.findAll { it.startsWith(tmp.toString()) }
                    .sort { -it.length() }.each { sh(['umount', '-l', it]) }
            for (Path h : CgroupLeakExtension.hierarchies()) {
                Path d = h.resolve(cgroupParent)
                // conmon may still be on its way out of its cgroup
                for (int i = 0; i < 50 && Files.isDirectory(d); i++) {
                    sh(['find', d.toString(), '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'])
                    if (Files.isDirectory(d)) sleep(200)
                }
            }
            TestImages.removeAll(tmp)
        }
    }

    def cleanup() {
        // podman's cgroupfs manager leaves conmon's cgroup under the parent after each container (podman's, not the runtime's)
        for (Path h : CgroupLeakExtension.hierarchies()) {
            Path d = h.resolve(cgroupParent).resolve('conmon')
            for (int i = 0; i < 50 && Files.isDirectory(d); i++) {
                sh(['find', d.toString(), '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'])
                if (Files.isDirectory(d)) sleep(200) // conmon may still be on its way out
            }
        }
    }

    /** What podman and the runtime know now: podman ps (debug log), ps -a, inspect, the runtime's list, the calls log, processes. */
    String diagnose(Map failed) {
        def lines = ["podman ps printed '${failed.out}' (exit ${failed.code}, stderr '${failed.err}')".toString()]
        lines << 'podman --log-level debug ps: ' + sh(['podman', '--log-level', 'debug'] + podman('ps', '--format', '{{.Names}} {{.Status}}').drop(1)).with { it.out + it.err.readLines().takeRight(40).join('\n') }
        lines << 'podman ps -a: ' + sh(podman('ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Pid}}')).with { it.out + it.err }
        lines << 'podman inspect: ' + sh(podman('inspect', '--format', '{{json .State}}', 'cg-detached')).with { it.out + it.err }
        lines << 'runtime list: ' + sh([wrapper.toString(), 'list']).with { it.out + it.err }
        lines << 'calls:\n' + (Files.exists(tmp.resolve('calls.log')) ? Files.readString(tmp.resolve('calls.log')) : '(none)')
        lines << 'files:\n' + sh(['sh', '-c', "find $tmp/tmpdir $tmp/runroot -path '*exit*' | xargs -r ls -l; for f in \$(find $tmp/tmpdir -path '*exits/*'); do echo \$f; cat \$f; echo; done".toString()]).with { it.out + it.err }
        lines << 'procs:\n' + sh(['sh', '-c', 'for p in /proc/[0-9]*; do c=$(tr "\\0" " " < $p/cmdline 2>/dev/null | cut -c1-150); case "$c" in *conmon*|*sleep*|*java*) echo "${p#/proc/} ppid=$(cut -d" " -f4 $p/stat) $c";; esac; done']).with { it.out + it.err }
        lines << 'dmesg:\n' + sh(['sh', '-c', 'dmesg | tail -20']).out
        lines.join('\n')
    }

    def "podman run --rm busybox echo hi prints hi through cgroovy-runtime"() {
        when:
        def r = sh(podman(['run', '--rm', '--cgroup-parent', "/$cgroupParent".toString()] + RUN + ['localhost/busybox', 'echo', 'hi'] as String[]))
        then:
        r.err == '' || !r.err.contains('Error')
        r.out == 'hi\n'
        r.code == 0
        and: 'the runtime kept its state under the root podman gave it, and removed it again (podman deletes after run returns)'
        Files.isDirectory(tmp.resolve('runtime-root/bin'))
        left().isEmpty() || { sleep(10_000); left() }().isEmpty()
    }

    def "the exit status and cgroovy's security defaults come through podman"() {
        when:
        // (podman's default capabilities have no MKNOD)
        def r = sh(podman(['run', '--rm', '--cap-add', 'MKNOD', '--cgroup-parent', "/$cgroupParent".toString()] + RUN
                + ['localhost/busybox', 'sh', '-c', 'grep -E "Seccomp:|NoNewPrivs" /proc/self/status; mknod /tmp/b b 7 0 && head -c1 /tmp/b 2>&1; exit 3'] as String[]))
        then: "podman's seccomp filter is compiled and installed by cgroovy"
        r.code == 3
        r.out.contains('Seccomp:\t2')
        and: "its device rules are the container's device cgroup: a node can be made, not opened"
        r.out.contains('head: /tmp/b: Operation not permitted')
    }

    def "podman --uidmap: config.json with a user namespace and uidMappings runs through the runtime, root is uid 100000 on the host"() {
        when:
        def r = sh(podman(['run', '--rm', '--cgroup-parent', "/$cgroupParent".toString(), '--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'] + RUN
                + ['localhost/busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox; grep -E "^(Uid|CapEff|Seccomp):" /proc/self/status; touch /x && echo wrote'] as String[]))
        def lines = r.out.readLines()

        then:
        r.code == 0
        lines[0] == '0'
        lines[1].trim().split(/\s+/) as List == ['0', '100000', '65536']
        lines[2] == '0:0'                      // podman gave the container a root it owns
        lines[3].split(/\s+/)[1] == '0'
        lines.contains('Seccomp:\t2')
        lines.last() == 'wrote'
    }

    def "a detached container: podman exec, top, stop and rm go through the runtime"() {
        when:
        def run = sh(podman(['run', '-d', '--name', 'cg-detached', '--cgroup-parent', "/$cgroupParent".toString()] + RUN
                + ['localhost/busybox', 'sleep', '300'] as String[]))
        def exec = sh(podman('exec', 'cg-detached', 'sh', '-c', 'cat /proc/1/cmdline > /tmp/seen; echo exec-out; exit 4'))
        def seen = sh(podman('exec', 'cg-detached', 'sh', '-c', 'tr "\\0" " " < /tmp/seen | grep -qx "sleep 300 "'))
        def ps = sh(podman('ps', '--format', '{{.Names}} {{.Status}}'))
        // seen under load in the UML guest: empty, exit 0, though podman stop then finds it running (it sends SIGTERM):
        // what podman and the runtime know at that moment, and why podman left it out (its debug log)
        String diagnosis = ps.out.startsWith('cg-detached Up') ? null : diagnose(ps)
        def inspect = sh(podman('inspect', '--format', '{{.Id}}', 'cg-detached'))
        String id = inspect.out.trim()
        def top = sh([wrapper.toString(), 'ps', id])
        def stop = sh(podman('stop', '-t', '1', 'cg-detached'))
        def rm = sh(podman('rm', 'cg-detached'))
        then:
        run.code == 0
        exec.code == 4
        exec.out == 'exec-out\n'
        seen.code == 0
        assert ps.out.startsWith('cg-detached Up'): diagnosis
        inspect.code == 0 && id
        and: "cgroovy-runtime ps: the container's processes in ps -ef's columns"
        top.out.readLines()[0].split('\t') as List == ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']
        top.out.readLines()[1..-1].collect { it.split('\t')[7] } == ['sleep 300']
        stop.code == 0
        rm.code == 0
        sh(podman('ps', '-aq')).out == ''
    }

    /**
     * Runs {@code cmd} on a pseudo-terminal of its own (util-linux script), types {@code input} once it printed
     * a shell prompt, and returns its exit status and everything the terminal showed.
     */
    static Map onTerminal(List<String> cmd, String input) {
        String line = cmd.collect { "'" + it.replace("'", "'\\''") + "'" }.join(' ')
        def p = new ProcessBuilder(['script', '-qefc', line, '/dev/null']).redirectErrorStream(true).start()
        def out = new StringBuffer()
        def reader = Thread.start { p.inputStream.eachByte(1) { byte[] b, int n -> out.append(new String(b, 0, n, 'UTF-8')) } }
        long until = System.currentTimeMillis() + 120_000
        while (!out.toString().contains('# ') && p.alive && System.currentTimeMillis() < until) sleep(100)
        try {
            p.outputStream.write(input.getBytes('UTF-8'))
            p.outputStream.flush()
        } catch (IOException gone) {
            // it ended before the prompt: its output says why
        }
        boolean ended = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)
        if (!ended) p.destroyForcibly().waitFor()
        try {
            p.outputStream.close()
        } catch (IOException gone) {
            // the same
        }
        reader.join(5_000)
        [code: ended ? p.exitValue() : -1, out: out.toString()]
    }

    def "podman run -it and exec -it: the terminal master comes to conmon over --console-socket"() {
        when: 'an interactive shell with a terminal'
        def run = onTerminal(podman(['run', '-it', '--rm', '--cgroup-parent', "/$cgroupParent".toString()] + RUN
                + ['localhost/busybox', 'sh'] as String[]), 'tty; echo sum=$((6*7)); exit 3\r')
        then: "its stdio is a terminal of the container's own devpts, and its status comes back"
        run.out.contains('/dev/pts/0') || !run.out
        run.out.contains('sum=42')
        run.code == 3

        when: 'exec -it into a detached container'
        def start = sh(podman(['run', '-d', '--name', 'cg-tty', '--cgroup-parent', "/$cgroupParent".toString()] + RUN
                + ['localhost/busybox', 'sleep', '300'] as String[]))
        def exec = onTerminal(podman('exec', '-it', 'cg-tty', 'sh'), 'tty; echo prod=$((6*7)); exit 5\r')
        then:
        start.code == 0
        exec.out.contains('/dev/pts/')
        exec.out.contains('prod=42')
        exec.code == 5

        cleanup:
        sh(podman('rm', '-f', '-t', '0', 'cg-tty'))
    }

    def "--systemd-cgroup is refused with a clear message (JSON in the log file)"() {
        given:
        Path log = tmp.resolve('runtime.log')
        when:
        def r = sh([wrapper.toString(), '--root', "$tmp/rr".toString(), '--log', log.toString(), '--log-format', 'json', '--systemd-cgroup', 'list'])
        then:
        r.code == 1
        r.err.startsWith('cgroovy-runtime: --systemd-cgroup is not supported')
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(log.toFile()).get('level').asText() == 'error'
    }
}

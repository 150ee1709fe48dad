package io.cgroovy.api

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit

/**
 * A real OpenSSH server (/usr/sbin/sshd -D) on 127.0.0.1 with its host key, a client key and its
 * config all in a temp dir: sessions get DOCKER_HOST pointing at a cgroovy serve, so the remote
 * `docker system dial-stdio` reaches it. A second port runs a command that does not exist instead of
 * any asked for. {@link #sshOptions} is the client side (`-F` an ssh_config naming the key and the
 * known host key); {@link #clientConfig} writes variants for the error cases.
 */
class SshServer implements Closeable {
    static final String SSHD = '/usr/sbin/sshd'

    final Path tmp
    final int port
    /** A port where every session runs a missing command (ForceCommand). */
    final int brokenPort
    private Process process

    /** Why sshd or ssh cannot run here, or null. */
    static String unavailable() {
        if (!Files.isExecutable(Path.of(SSHD))) return "${SSHD} is not installed (openssh-server)".toString()
        if (!['/usr/bin/ssh', '/bin/ssh'].any { Files.isExecutable(Path.of(it)) }) return 'ssh is not installed (openssh-client)'
        if (!['/usr/bin/ssh-keygen', '/bin/ssh-keygen'].any { Files.isExecutable(Path.of(it)) }) return 'ssh-keygen is not installed (openssh-client)'
        if (!['/usr/local/bin/docker', '/usr/bin/docker'].any { Files.isExecutable(Path.of(it)) }) return 'the docker CLI (for docker system dial-stdio) is not installed'
        null
    }

    /** {@code dockerHost}: the unix:// address sessions get as DOCKER_HOST. */
    SshServer(String dockerHost) {
        tmp = Files.createTempDirectory('cgroovy-sshd-', PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rwx------')))
        try {
            ['host_key', 'client_key', 'other_key'].each { keygen(it) }
            Files.copy(tmp.resolve('client_key.pub'), tmp.resolve('authorized_keys'))
            port = io.cgroovy.image.LocalRegistry.freePort()
            int p2 = port
            while (p2 == port) p2 = io.cgroovy.image.LocalRegistry.freePort()
            brokenPort = p2
            Files.writeString(tmp.resolve('sshd_config'), """\
                ListenAddress 127.0.0.1
                Port ${port}
                Port ${brokenPort}
                HostKey ${tmp.resolve('host_key')}
                AuthorizedKeysFile ${tmp.resolve('authorized_keys')}
                PidFile ${tmp.resolve('sshd.pid')}
                UsePAM no
                StrictModes no
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                X11Forwarding no
                PrintMotd no
                SetEnv DOCKER_HOST=${dockerHost} DOCKER_CONFIG=${tmp.resolve('docker-config')}
                Match LocalPort ${brokenPort}
                    ForceCommand no-such-command-here
                """.stripIndent())
            // privilege separation dir sshd insists on; left in place (other sshds use it too)
            Files.createDirectories(Path.of('/run/sshd'))
            String hostKey = Files.readString(tmp.resolve('host_key.pub')).trim().split(' ').take(2).join(' ')
            Files.writeString(tmp.resolve('known_hosts'), "[127.0.0.1]:${port} ${hostKey}\n[127.0.0.1]:${brokenPort} ${hostKey}\n")
            Files.writeString(tmp.resolve('empty_known_hosts'), '')
            clientConfig('ssh_config', 'client_key', 'known_hosts')
            process = new ProcessBuilder(SSHD, '-D', '-e', '-f', tmp.resolve('sshd_config').toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve('sshd.log').toFile()).start()
            long end = System.currentTimeMillis() + 20_000
            while (!(listening(port) && listening(brokenPort)) && process.alive && System.currentTimeMillis() < end) Thread.sleep(50)
            if (!listening(port)) throw new IllegalStateException("sshd did not start: ${log().readLines().takeRight(3).join(' / ')}")
        } catch (Exception e) {
            close()
            throw e
        }
    }

    /** The ssh options for the engine word: the client config, -F. */
    String sshOptions(String config = 'ssh_config') { "-F ${tmp.resolve(config)}" }

    /** Writes an ssh_config using {@code key} and {@code knownHosts} (files in tmp); returns its name. */
    String clientConfig(String name, String key, String knownHosts) {
        Files.writeString(tmp.resolve(name), """\
            Host *
                IdentityFile ${tmp.resolve(key)}
                IdentitiesOnly yes
                IdentityAgent none
                UserKnownHostsFile ${tmp.resolve(knownHosts)}
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                UpdateHostKeys no
                ControlMaster no
                ControlPath none
            """.stripIndent())
        name
    }

    /** sshd's own log (-e: to stderr, kept in a file). */
    String log() { Files.exists(tmp.resolve('sshd.log')) ? Files.readString(tmp.resolve('sshd.log')) : '' }

    /** The ssh processes (and setsid before them) this JVM runs now. */
    static List<ProcessHandle> sshChildren() {
        ProcessHandle.current().children().filter { h ->
            h.info().command().map { String c -> c.endsWith('/ssh') || c.endsWith('/setsid') }.orElse(false)
        }.toList()
    }

    private static boolean listening(int port) {
        try {
            new Socket('127.0.0.1', port).close()
            true
        } catch (IOException ignored) {
            false
        }
    }

    private void keygen(String name) {
        Process p = new ProcessBuilder('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', "cgroovy-${name}".toString(), '-f', tmp.resolve(name).toString())
                .redirectErrorStream(true).start()
        String out = p.inputStream.text
        if (p.waitFor() != 0) throw new IllegalStateException("ssh-keygen ${name}: ${out.trim()}")
    }

    @Override void close() {
        try {
            if (process != null) {
                process.destroy()   // SIGTERM to the PID started here; sessions still open end with their clients
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly()
                    process.waitFor()
                }
            }
        } finally {
            ['rm', '-rf', tmp.toString()].execute().waitFor()
        }
    }
}

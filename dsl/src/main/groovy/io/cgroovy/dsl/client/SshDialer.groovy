package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.nio.file.Files
import java.nio.file.Path

/**
 * ssh://[user@]host[:port][/remote/socket.sock] as the docker CLI does it: one `ssh` process per
 * connection running `docker system dial-stdio` on the remote host (`docker --host=unix://PATH ...`
 * with a path), whose stdin and stdout carry the HTTP bytes. ssh runs with BatchMode (never a
 * prompt) and a ConnectTimeout; more options from the system property {@value #OPTIONS_PROPERTY}
 * or the environment variable {@value #OPTIONS_ENV} (split at blanks, e.g. `-F /path/ssh_config`),
 * placed first so they win over these defaults.
 */
@CompileStatic
final class SshDialer implements Dialer {
    static final String OPTIONS_PROPERTY = 'cgroovy.ssh.options'
    static final String OPTIONS_ENV = 'CGROOVY_SSH_OPTIONS'

    /** The whole command line, ssh first (setsid before it where there is one). */
    final List<String> command

    private SshDialer(List<String> command) { this.command = command }

    /** Parses the address; IllegalArgumentException (one line) naming what is wrong. */
    static SshDialer of(String address) {
        String rest = address.substring('ssh://'.length())
        int slash = rest.indexOf('/')
        String authority = slash >= 0 ? rest.substring(0, slash) : rest
        String path = slash >= 0 ? rest.substring(slash) : ''
        if (path.contains('?') || path.contains('#') || authority.contains('?') || authority.contains('#')) {
            throw new IllegalArgumentException("'${address}': an ssh address takes no query or fragment (ssh://user@host:port/path/to.sock)")
        }
        int at = authority.lastIndexOf('@')
        String user = at >= 0 ? authority.substring(0, at) : ''
        String hostPort = authority.substring(at + 1)
        if (user.contains(':')) throw new IllegalArgumentException("'${address}': no password in the address (ssh uses keys or its agent)")
        String host
        String port = ''
        if (hostPort.startsWith('[')) {   // [::1]:22
            int end = hostPort.indexOf(']')
            if (end < 0) throw new IllegalArgumentException("'${address}': unclosed [ in the host")
            host = hostPort.substring(1, end)
            String after = hostPort.substring(end + 1)
            if (after) {
                if (!after.startsWith(':')) throw new IllegalArgumentException("'${address}': expected :port after ]")
                port = after.substring(1)
            }
        } else {
            int colon = hostPort.lastIndexOf(':')
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort
            port = colon >= 0 ? hostPort.substring(colon + 1) : ''
        }
        if (!host || host.startsWith('-')) throw new IllegalArgumentException("'${address}' needs a host (ssh://[user@]host[:port][/path/to.sock])")
        if (port && !(port ==~ /[0-9]{1,5}/ && Integer.parseInt(port) in 1..65535)) throw new IllegalArgumentException("'${address}': port '${port}' is not a number from 1 to 65535")
        // the remote shell reads the command as one line: a path is kept to plain characters
        if (path && !(path ==~ /[A-Za-z0-9\/._+-]+/)) throw new IllegalArgumentException("'${address}': socket path '${path}' may hold only letters, digits and / . _ + -")
        if (user.startsWith('-')) throw new IllegalArgumentException("'${address}': user '${user}' is not a user name")

        List<String> cmd = []
        String setsid = ['/usr/bin/setsid', '/bin/setsid'].find { Files.isExecutable(Path.of(it)) }
        // its own session: a Ctrl-C at the shell's terminal must not kill the ssh that carries the attach stream
        if (setsid) cmd << setsid
        cmd << 'ssh'
        List<String> extra = options()
        cmd.addAll(extra)
        cmd.addAll(['-o', 'BatchMode=yes'])
        if (!extra.any { it.toLowerCase(Locale.ROOT).contains('connecttimeout') }) cmd.addAll(['-o', 'ConnectTimeout=10'])
        cmd << '-T'
        if (user) cmd.addAll(['-l', user])
        if (port) cmd.addAll(['-p', port])
        cmd.addAll(['--', host, 'docker'])
        if (path.replace('/', '')) cmd << ('--host=unix://' + path)
        cmd.addAll(['system', 'dial-stdio'])
        new SshDialer(cmd)
    }

    /** The extra ssh options: the system property, else the environment variable, split at blanks. */
    static List<String> options() {
        String o = System.getProperty(OPTIONS_PROPERTY) ?: System.getenv(OPTIONS_ENV) ?: ''
        o.trim() ? o.trim().split(/\s+/).toList() : []
    }

    @Override Connection dial() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
        new ProcessConnection(pb.start(), 'ssh')
    }
}

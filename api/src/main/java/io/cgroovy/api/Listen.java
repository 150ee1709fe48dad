package io.cgroovy.api;

import io.cgroovy.api.http.Listener;
import io.cgroovy.api.http.TlsListener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Where {@code cgroovy serve} listens: a unix socket (root and the docker group, like dockerd), loopback
 * TCP, or TCP on any address with TLS client certificates ({@code --tlsverify}).
 */
public final class Listen {
    private Listen() {}

    /** Binds a unix socket at {@code path}: a stale socket file is replaced, a live one is an error. */
    public static ServerSocketChannel unix(Path path, String group) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (live(path)) throw new ServeException(path + ": another server is listening there");
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) throw new ServeException(path + ": is a directory");
            Files.delete(path);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                try {
                    GroupPrincipal g = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                    Files.setAttribute(path, "posix:group", g, LinkOption.NOFOLLOW_LINKS);
                } catch (UserPrincipalNotFoundException e) {
                    // no such group on this host: root only, as dockerd does without a docker group
                }
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Binds TCP at HOST:PORT, in TLS when {@code tls} is given. Addresses other than loopback need
     * {@code --tlsverify}: without client certificates anyone who reaches the port is root on this host.
     */
    public static Listener tcp(String hostPort, ServeTls tls) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) throw new ServeException("--tcp " + hostPort + ": expected HOST:PORT, e.g. 127.0.0.1:2375");
        String host = hostPort.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ServeException("--tcp " + hostPort + ": port '" + hostPort.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65535) throw new ServeException("--tcp " + hostPort + ": port out of range");
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new ServeException("--tcp " + hostPort + ": unknown host '" + host + "'");
        }
        if (!addr.isLoopbackAddress() && (tls == null || !tls.verify())) {
            throw new ServeException("--tcp " + hostPort + ": only loopback addresses are served without --tlsverify "
                    + (tls == null ? "(an unauthenticated Docker API is root on this host)"
                                   : "(--tls alone lets any client in, and the Docker API is root on this host)"));
        }
        InetSocketAddress at = new InetSocketAddress(addr, port);
        if (tls != null) {
            try {
                return new TlsListener(tls.context(), at, tls.verify());
            } catch (IOException e) {
                throw new ServeException("--tcp " + hostPort + ": " + e.getMessage());
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(at);
        } catch (IOException e) {
            ch.close();
            throw new ServeException("--tcp " + hostPort + ": " + e.getMessage());
        }
        return Listener.of(ch);
    }

    private static boolean live(Path socket) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.URI
import java.net.UnixDomainSocketAddress
import java.nio.channels.SocketChannel
import java.nio.file.Path

/**
 * unix:// and tcp:// connections: a SocketChannel each. Its streams are interruptible (an interrupt
 * closes the channel), which is how Ctrl-C ends a foreground container's attach.
 */
@CompileStatic
final class SocketDialer implements Dialer {
    private final SocketAddress target

    private SocketDialer(SocketAddress target) { this.target = target }

    static SocketDialer unix(String path) { new SocketDialer(UnixDomainSocketAddress.of(Path.of(path))) }

    /** tcp://host:port, as written. */
    static SocketDialer tcp(String address) {
        URI u = URI.create('http://' + address.substring('tcp://'.length()))
        if (u.host == null || u.port < 0) throw new IllegalArgumentException("'${address}' needs host and port (tcp://127.0.0.1:2375)")
        new SocketDialer(new InetSocketAddress(u.host, u.port))
    }

    @Override Connection dial() throws IOException { new ChannelConnection(SocketChannel.open(target)) }

    @CompileStatic
    private static final class ChannelConnection implements Connection {
        private final SocketChannel ch
        private final InputStream in
        private final OutputStream out

        ChannelConnection(SocketChannel ch) {
            this.ch = ch
            // not Channels.newInputStream/newOutputStream: a hijacked stream is read and written at once
            in = SocketStreams.input(ch)
            out = SocketStreams.output(ch)
        }

        @Override InputStream input() { in }

        @Override OutputStream output() { out }

        @Override void closeWrite() { ch.shutdownOutput() }

        @Override void close() { ch.close() }
    }
}

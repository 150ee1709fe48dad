package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

/**
 * Opens connections to one engine address; one implementation per address scheme. An IOException
 * means the engine could not be reached (DockerHttp says "cannot connect to ADDRESS: message").
 */
@CompileStatic
interface Dialer {
    Connection dial() throws IOException

    /** The dialer for an address as the engine word takes it; IllegalArgumentException (one line) when it is none of them. */
    static Dialer of(String address) {
        if (address.startsWith('unix://')) return SocketDialer.unix(address.substring('unix://'.length()))
        if (address.startsWith('tcp://')) return SocketDialer.tcp(address)
        if (address.startsWith('ssh://')) return SshDialer.of(address)
        throw new IllegalArgumentException("'${address}' is not an engine address: unix:///path/to.sock, tcp://host:port, ssh://[user@]host[:port][/path/to.sock] or 'local'")
    }
}

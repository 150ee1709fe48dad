package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.net.InetSocketAddress
import java.net.URI
import java.nio.channels.SocketChannel
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLException
import javax.net.ssl.SSLParameters
import javax.net.ssl.SSLSocket

/**
 * tcp:// in TLS, as the docker CLI with --tlsverify: the server's certificate must be signed by the
 * trusted CA and name the host (its IP in subjectAltName for an address); the client's own
 * certificate is presented when there is one. The TLS socket is layered over a SocketChannel, so
 * an interrupt still closes the connection (Ctrl-C ends an attach as over plain TCP).
 */
@CompileStatic
final class TlsDialer implements Dialer {
    private final String host
    private final int port
    private final SSLContext context

    TlsDialer(String address, SSLContext context) {
        URI u = URI.create('http://' + address.substring('tcp://'.length()))
        if (u.host == null || u.port < 0) throw new IllegalArgumentException("'${address}' needs host and port (tcp://127.0.0.1:2376)")
        host = u.host.replaceAll(/^\[|]$/, '')
        port = u.port
        this.context = context
    }

    @Override Connection dial() throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))
        try {
            SSLSocket s = (SSLSocket) context.socketFactory.createSocket(ch.socket(), host, port, true)
            SSLParameters p = s.getSSLParameters()
            p.setEndpointIdentificationAlgorithm('HTTPS')
            p.setProtocols(['TLSv1.3', 'TLSv1.2'] as String[])
            s.setSSLParameters(p)
            try {
                s.startHandshake()
            } catch (SSLException e) {
                s.close()
                throw new SSLException(TlsDialer.reason(e))
            }
            new TlsConnection(s)
        } catch (IOException | RuntimeException e) {
            ch.close()
            throw e
        }
    }

    /** The JDK's handshake messages in the terms of the files the user gave. */
    static String reason(SSLException e) {
        String m = e.message ?: e.class.simpleName
        Throwable root = e
        while (root.cause != null) root = root.cause
        if (root instanceof java.security.cert.CertPathValidatorException || m.contains('PKIX path')) return "TLS: the engine's certificate is not signed by the trusted CA (${m.readLines()[0]})"
        if (root instanceof java.security.cert.CertificateException && m.contains('subject alternative name')) return "TLS: the engine's certificate is not for this address (${m.readLines()[0]})"
        if (m.contains('bad_certificate') || m.contains('certificate_required') || m.contains('unknown_ca')) return "TLS: the engine refused this client's certificate (${m.readLines()[0]}; it wants one signed by its CA)"
        if (m.contains('Unsupported or unrecognized SSL message') || m.contains('Remote host terminated the handshake')) return "TLS: the engine does not speak TLS there (${m.readLines()[0]})"
        "TLS: ${m.readLines()[0]}"
    }

    @CompileStatic
    private static final class TlsConnection implements Connection {
        private final SSLSocket socket
        private final InputStream in
        private final OutputStream out

        TlsConnection(SSLSocket socket) {
            this.socket = socket
            // in TLS 1.3 a refused client certificate arrives as an alert at the first read
            InputStream raw = socket.inputStream
            in = new FilterInputStream(raw) {
                @Override int read() throws IOException {
                    try { super.read() } catch (SSLException e) { throw new SSLException(TlsDialer.reason(e)) }
                }

                @Override int read(byte[] b, int off, int len) throws IOException {
                    try { super.read(b, off, len) } catch (SSLException e) { throw new SSLException(TlsDialer.reason(e)) }
                }
            }
            out = socket.outputStream
        }

        @Override InputStream input() { in }

        @Override OutputStream output() { out }

        /** TLS 1.3's close_notify ends the server's reading and leaves ours open (docker exec -i's end of stdin). */
        @Override void closeWrite() { socket.shutdownOutput() }

        @Override void close() {
            try {
                if (!socket.closed && !socket.outputShutdown) socket.shutdownOutput()
            } catch (IOException ignored) {
                // gone already
            } finally {
                socket.close()
            }
        }
    }
}

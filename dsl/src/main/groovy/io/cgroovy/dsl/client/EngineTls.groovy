package io.cgroovy.dsl.client

import groovy.transform.CompileStatic
import io.cgroovy.runtime.tls.TlsFiles

import java.nio.file.Files
import java.nio.file.Path
import javax.net.ssl.SSLContext

/**
 * The engine word's TLS, as the docker CLI decides it: {@code tls: [ca: F, cert: F, key: F]} (ca
 * alone: trust that CA, present no certificate; no ca: the JDK's trusted CAs), {@code tls: 'DIR'}
 * (DIR's ca.pem, cert.pem, key.pem), {@code tls: true} (those in DOCKER_CERT_PATH or ~/.docker),
 * {@code tls: false} (plain); without the option DOCKER_TLS_VERIFY (any value) means {@code tls: true}.
 * The server is always verified: there is no TLS without it here.
 */
@CompileStatic
final class EngineTls {
    private EngineTls() {}

    /** The context to dial {@code address} with, or null for plain TCP. */
    static SSLContext context(String address, Object tls, Map<String, String> env) {
        boolean tcp = address.startsWith('tcp://')
        if (tls == null) {
            if (!tcp || !env.get('DOCKER_TLS_VERIFY')) return null
            tls = true
        }
        if (tls == false) return null
        if (!tcp) throw new IllegalArgumentException("tls: is for tcp:// addresses (${address} is not one)")
        if (tls == true) return fromDir(certPath(env))
        if (tls instanceof CharSequence || tls instanceof Path || tls instanceof File) return fromDir(Path.of(tls.toString()))
        if (tls instanceof Map) {
            Map m = (Map) tls
            def unknown = m.keySet().findAll { !(it in ['ca', 'cert', 'key']) }
            if (unknown) throw new IllegalArgumentException("tls: unknown key '${unknown[0]}' (ca, cert, key)")
            return TlsFiles.context(path(m.ca), path(m.cert), path(m.key))
        }
        throw new IllegalArgumentException("tls: give [ca: FILE, cert: FILE, key: FILE], a directory with ca.pem, cert.pem and key.pem, true or false")
    }

    private static Path certPath(Map<String, String> env) {
        String dir = env.get('DOCKER_CERT_PATH')
        dir ? Path.of(dir) : Path.of(System.getProperty('user.home'), '.docker')
    }

    /** ca.pem must be there; cert.pem and key.pem are presented when both are (as the docker CLI does). */
    private static SSLContext fromDir(Path dir) {
        Path cert = dir.resolve('cert.pem'), key = dir.resolve('key.pem')
        boolean own = Files.exists(cert) && Files.exists(key)
        TlsFiles.context(dir.resolve('ca.pem'), own ? cert : null, own ? key : null)
    }

    private static Path path(Object o) { o == null ? null : Path.of(o.toString()) }
}

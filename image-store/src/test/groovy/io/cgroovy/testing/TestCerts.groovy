package io.cgroovy.testing

import java.nio.file.Files
import java.nio.file.Path

/**
 * Certificates made by the real `openssl` in a temp dir, as Docker's "Protect the daemon socket" guide
 * makes them: a CA, a server certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1, serverAuth), a
 * client certificate (clientAuth), and a second CA with its own client, which the first CA's server
 * must refuse. The keys come in each form OpenSSL writes: the CA's PKCS#8, the server's SEC1
 * ("EC PRIVATE KEY" after "EC PARAMETERS"), the client's PKCS#1 ("RSA PRIVATE KEY").
 */
class TestCerts implements Closeable {
    final Path dir
    final Path ca, caKey, serverCert, serverKey, clientCert, clientKey
    final Path otherCa, otherCert, otherKey

    TestCerts() {
        dir = Files.createTempDirectory('cgroovy-tls-')
        try {
            ca = dir.resolve('ca.pem'); caKey = dir.resolve('ca-key.pem')
            serverCert = dir.resolve('server-cert.pem'); serverKey = dir.resolve('server-key.pem')
            clientCert = dir.resolve('cert.pem'); clientKey = dir.resolve('key.pem')
            otherCa = dir.resolve('other/ca.pem'); otherCert = dir.resolve('other/cert.pem'); otherKey = dir.resolve('other/key.pem')
            Files.createDirectories(otherCa.parent)
            openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', caKey)
            openssl('req', '-new', '-x509', '-days', '2', '-key', caKey, '-subj', '/CN=cgroovy test CA', '-out', ca)
            openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', serverKey)
            sign(serverKey, serverCert, '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', ca, caKey)
            openssl('genrsa', '-traditional', '-out', clientKey, '2048')
            sign(clientKey, clientCert, '/CN=client', 'extendedKeyUsage=clientAuth\n', ca, caKey)
            Path otherCaKey = dir.resolve('other/ca-key.pem')
            openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', otherCaKey)
            openssl('req', '-new', '-x509', '-days', '2', '-key', otherCaKey, '-subj', '/CN=another CA', '-out', otherCa)
            openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', otherKey)
            sign(otherKey, otherCert, '/CN=stranger', 'extendedKeyUsage=clientAuth\n', otherCa, otherCaKey)
        } catch (Throwable t) {
            close()
            throw t
        }
    }

    /** A directory laid out as DOCKER_CERT_PATH wants it: ca.pem, cert.pem, key.pem of the good client. */
    Path clientDir() { dir }

    private void sign(Path key, Path cert, String subject, String ext, Path by, Path byKey) {
        Path csr = dir.resolve(cert.fileName.toString() + '.csr'), extFile = dir.resolve(cert.fileName.toString() + '.ext')
        Files.writeString(extFile, ext)
        openssl('req', '-new', '-key', key, '-subj', subject, '-out', csr)
        openssl('x509', '-req', '-days', '2', '-sha256', '-in', csr, '-CA', by, '-CAkey', byKey, '-CAcreateserial', '-out', cert, '-extfile', extFile)
    }

    static void openssl(Object... args) {
        def p = (['openssl'] + args*.toString()).execute()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        if (p.exitValue() != 0) throw new IllegalStateException("openssl ${args.join(' ')}: ${err.toString().trim()}")
    }

    @Override void close() {
        ['rm', '-rf', dir.toString()].execute().waitFor()
    }
}

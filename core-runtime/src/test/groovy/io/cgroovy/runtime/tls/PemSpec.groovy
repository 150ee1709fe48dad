package io.cgroovy.runtime.tls

import io.cgroovy.testing.TestCerts
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.interfaces.ECPrivateKey
import java.security.interfaces.RSAPrivateCrtKey

/** Keys and certificates in every PEM form the real openssl writes, read with the JDK only; bad files named in one line. */
@spock.lang.Tag('kernel-agnostic') // files, openssl and the JVM only: the cgroup v2 guest run leaves it out (README)
class PemSpec extends Specification {
    @Shared TestCerts certs
    @TempDir Path tmp

    def setupSpec() { certs = new TestCerts() }

    def cleanupSpec() { certs?.close() }

    Path openssl(String name, String... args) {
        Path out = tmp.resolve(name)
        TestCerts.openssl(*([args[0], '-out', out.toString()] + args.toList().drop(1)))   // genrsa wants its bit count last
        out
    }

    def "each key form openssl writes is read, and is the same key as openssl's PKCS#8 of it"() {
        given:
        Path key = openssl('key.pem', *make)
        Path pkcs8 = openssl('key8.pem', 'pkey', '-in', key.toString())

        expect:
        Files.readString(key).contains("-----BEGIN ${label}-----")
        Files.readString(pkcs8).contains('-----BEGIN PRIVATE KEY-----')
        same(Pem.privateKey(key), Pem.privateKey(pkcs8))
        Pem.privateKey(key).algorithm == algorithm

        where:
        make                                                                                 || label             | algorithm
        ['genrsa', '-traditional', '2048']                                                   || 'RSA PRIVATE KEY' | 'RSA'
        ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']                 || 'PRIVATE KEY'     | 'RSA'
        ['ecparam', '-name', 'prime256v1', '-genkey']                                        || 'EC PRIVATE KEY'  | 'EC'
        ['ecparam', '-name', 'secp384r1', '-genkey', '-noout']                               || 'EC PRIVATE KEY'  | 'EC'
        ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']               || 'PRIVATE KEY'     | 'EC'
        ['genpkey', '-algorithm', 'ED25519']                                                 || 'PRIVATE KEY'     | 'EdDSA'
    }

    /** EC keys read from SEC1 keep its curve parameters in their encoding, openssl's PKCS#8 drops them: compare the values. */
    static boolean same(java.security.PrivateKey a, java.security.PrivateKey b) {
        a instanceof ECPrivateKey ? a.s == b.s && a.params.curve == b.params.curve : a.encoded == b.encoded
    }

    def "the test certificates' keys: PKCS#8 RSA for the CA, SEC1 EC for the server, PKCS#1 RSA for the client"() {
        expect:
        Pem.privateKey(certs.caKey) instanceof RSAPrivateCrtKey
        Pem.privateKey(certs.serverKey) instanceof ECPrivateKey
        Pem.privateKey(certs.clientKey) instanceof RSAPrivateCrtKey
        Pem.certificates(certs.serverCert)[0].subjectAlternativeNames*.get(1) == ['127.0.0.1']
        TlsFiles.context(certs.ca, certs.clientCert, certs.clientKey).protocol == 'TLS'
    }

    def "a chain file gives every certificate, in order"() {
        given:
        Path chain = tmp.resolve('chain.pem')
        Files.writeString(chain, Files.readString(certs.clientCert) + Files.readString(certs.ca))

        expect:
        Pem.certificates(chain)*.subjectX500Principal*.name == ['CN=client', 'CN=cgroovy test CA']
    }

    def "encrypted keys are refused with what to do"() {
        given:
        Path key = openssl('enc.pem', *make)

        when:
        Pem.privateKey(key)

        then:
        def e = thrown(TlsFileException)
        e.message == "${key}: the key is encrypted; decrypt it first (openssl pkey -in KEY -out KEY.plain)"

        where:
        make << [['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-aes256', '-pass', 'pass:secret'],
                 ['genrsa', '-traditional', '-aes256', '-passout', 'pass:secret', '1024']]
    }

    def "missing, unreadable-as-PEM and mismatched files: one line naming the file"() {
        given:
        Path garbage = tmp.resolve('garbage.pem')
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
        Path badB64 = tmp.resolve('b64.pem')
        Files.writeString(badB64, "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n")

        expect:
        fails { Pem.certificates(tmp.resolve('nope.pem')) } == "${tmp}/nope.pem: no such file"
        fails { Pem.certificates(garbage) }.startsWith("${garbage}: not a valid X.509 certificate (")
        fails { Pem.privateKey(badB64) } == "${badB64}: the PRIVATE KEY block is not valid base64"
        fails { TlsFiles.context(certs.ca, certs.clientCert, certs.otherKey) } == "${certs.otherKey}: not the key of the certificate in ${certs.clientCert}"
        fails { TlsFiles.context(certs.ca, certs.clientCert, null) } == "a certificate needs its key and a key its certificate (got only ${certs.clientCert})"
        fails { TlsFiles.context(tmp, null, null) } == "${tmp}: cannot read: Is a directory"
    }

    static String fails(Closure c) {
        try {
            c()
        } catch (TlsFileException e) {
            assert !e.message.contains('\n')
            return e.message
        }
        throw new AssertionError('no TlsFileException')
    }
}

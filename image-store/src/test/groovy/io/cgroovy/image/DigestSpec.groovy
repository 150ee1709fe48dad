package io.cgroovy.image


import spock.lang.Specification

import java.security.MessageDigest

/** The store's SHA-256 (libcrypto's where the system has it) gives the JDK's answers for any update pattern. */
@spock.lang.Tag('kernel-agnostic') // the JVM and libcrypto only
class DigestSpec extends Specification {

    def "libcrypto's SHA-256 is used on Debian, where libssl3 is always installed"() {
        expect:
        Digest.sha256() instanceof NativeSha256
    }

    def "the store's digest equals the JDK's for #what"() {
        given:
        def random = new Random(size)
        byte[] data = new byte[size]
        random.nextBytes(data)
        def ours = Digest.sha256()
        def jdk = MessageDigest.getInstance('SHA-256', 'SUN')

        when: 'the same bytes in uneven pieces, some one byte at a time'
        int at = 0
        while (at < size) {
            int n = Math.min(size - at, 1 + random.nextInt(piece))
            if (n == 1) ours.update(data[at]) else ours.update(data, at, n)
            at += n
        }
        jdk.update(data)

        then:
        ours.digest() == jdk.digest()

        when: 'the digest is used again after digest() reset it'
        ours.update(data, 0, Math.min(size, 1000))
        jdk.update(data, 0, Math.min(size, 1000))

        then:
        ours.digest() == jdk.digest()

        where:
        what                                    | size        | piece
        'nothing'                               | 0           | 1
        'single bytes'                          | 300         | 1
        'tar records'                           | 200_000     | 512
        'pieces crossing the 64 KiB stage'      | 1_000_000   | 150_000
        'one large update'                      | 3_000_000   | 3_000_000
    }

    def "reset() drops what was staged"() {
        given:
        def ours = Digest.sha256()

        when:
        ours.update('garbage'.bytes)
        ours.reset()
        ours.update('abc'.bytes)

        then:
        Digest.of(ours) == 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    }
}

package io.cgroovy.runtime.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of Docker's {@code --tlscacert/--tlscert/--tlskey}: an SSLContext that presents
 * CERT (with KEY) and trusts only the certificates in CA. Used by {@code cgroovy serve} and the
 * DSL's {@code engine} word alike.
 */
public final class TlsFiles {
    private TlsFiles() {}

    /**
     * A context presenting {@code cert}/{@code key} (both null: none) and trusting what {@code ca}
     * holds (null: the JDK's default trust).
     */
    public static SSLContext context(Path ca, Path cert, Path key) throws TlsFileException {
        try {
            KeyManagerFactory kmf = null;
            if (cert != null || key != null) {
                if (cert == null || key == null) throw new TlsFileException("a certificate needs its key and a key its certificate (got only " + (cert != null ? cert : key) + ")");
                List<X509Certificate> chain = Pem.certificates(cert);
                PrivateKey pk = Pem.privateKey(key);
                matches(pk, chain.get(0).getPublicKey(), key, cert);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = new char[0];
                ks.setKeyEntry("own", pk, pw, chain.toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
            }
            TrustManagerFactory tmf = null;
            if (ca != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate c : Pem.certificates(ca)) trust.setCertificateEntry("ca" + i++, c);
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (TlsFileException e) {
            throw e;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsFileException("TLS setup failed: " + Pem.oneLine(e));
        }
    }

    /** A key that is not the certificate's would only fail later, in every handshake: say so now. */
    private static void matches(PrivateKey key, PublicKey pub, Path keyFile, Path certFile) throws TlsFileException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm();                   // Ed25519, Ed448, EdDSA sign as themselves
        };
        if (alg == null) return;
        if (!key.getAlgorithm().equals(pub.getAlgorithm()) && !(key.getAlgorithm().startsWith("Ed") && pub.getAlgorithm().startsWith("Ed"))) {
            throw new TlsFileException(keyFile + ": its " + key.getAlgorithm() + " key does not go with the " + pub.getAlgorithm() + " certificate in " + certFile);
        }
        try {
            byte[] probe = "cgroovy key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (v.verify(sig)) return;
        } catch (GeneralSecurityException e) {
            // falls through to the mismatch
        }
        throw new TlsFileException(keyFile + ": not the key of the certificate in " + certFile);
    }
}

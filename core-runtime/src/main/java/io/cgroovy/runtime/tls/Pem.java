package io.cgroovy.runtime.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files as OpenSSL writes them, with the JDK only: keys in
 * PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") and SEC1 ("EC PRIVATE KEY"); no encrypted keys.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private Pem() {}

    /** Every certificate in {@code file}, in file order (a server's or client's own first, then its chain). */
    public static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (String[] b : blocks(file)) {
                if (!b[0].equals("CERTIFICATE") && !b[0].equals("TRUSTED CERTIFICATE")) continue;
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(decode(file, b))));
            }
        } catch (CertificateException e) {
            throw new TlsFileException(file + ": not a valid X.509 certificate (" + oneLine(e) + ")");
        }
        if (out.isEmpty()) throw new TlsFileException(file + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
        return out;
    }

    /** The private key in {@code file}. */
    public static PrivateKey privateKey(Path file) throws TlsFileException {
        for (String[] b : blocks(file)) {
            switch (b[0]) {
                case "PRIVATE KEY" -> { return pkcs8(file, decode(file, b)); }
                case "RSA PRIVATE KEY" -> {
                    unencrypted(file, b);
                    return pkcs8(file, Der.pkcs8(Der.element(Der.SEQUENCE, Der.RSA_ENCRYPTION, Der.element(Der.NULL)), decode(file, b)));
                }
                case "EC PRIVATE KEY" -> {
                    unencrypted(file, b);
                    byte[] sec1 = decode(file, b);
                    return pkcs8(file, Der.pkcs8(Der.element(Der.SEQUENCE, Der.EC_PUBLIC_KEY, curve(file, sec1)), sec1));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(file + ": the key is encrypted; decrypt it first (openssl pkey -in KEY -out KEY.plain)");
                default -> { } // EC PARAMETERS before an EC key, certificates in a combined file
            }
        }
        throw new TlsFileException(file + ": no PEM private key in it (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws TlsFileException {
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm: try the next
            }
        }
        throw new TlsFileException(file + ": not a private key the JDK can read (RSA, EC or EdDSA)");
    }

    /** SEC1 keys name their curve in the [0] parameters; PKCS#8 wants it in the algorithm identifier. */
    private static byte[] curve(Path file, byte[] sec1) throws TlsFileException {
        try {
            for (byte[] child : Der.children(sec1, "EC key")) {
                if ((child[0] & 0xff) == 0xa0) {
                    byte[] oid = Der.children(child, "EC key parameters").get(0);
                    if (oid[0] == Der.OID) return oid;
                }
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new TlsFileException(file + ": malformed EC private key (" + e.getMessage() + ")");
        }
        throw new TlsFileException(file + ": the EC private key does not name its curve");
    }

    private static void unencrypted(Path file, String[] block) throws TlsFileException {
        if (block[1].contains("Proc-Type:") && block[1].contains("ENCRYPTED")) {
            throw new TlsFileException(file + ": the key is encrypted; decrypt it first (openssl pkey -in KEY -out KEY.plain)");
        }
    }

    /** [label, body] of each PEM block. */
    private static List<String[]> blocks(Path file) throws TlsFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file + ": permission denied");
        } catch (IOException e) {
            throw new TlsFileException(file + ": cannot read: " + oneLine(e));
        }
        List<String[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) out.add(new String[] {m.group(1), m.group(2)});
        if (out.isEmpty()) throw new TlsFileException(file + ": not a PEM file (no -----BEGIN ...----- block)");
        return out;
    }

    private static byte[] decode(Path file, String[] block) throws TlsFileException {
        StringBuilder b64 = new StringBuilder();
        for (String line : block[1].split("\r?\n")) {
            if (line.contains(":")) continue;                 // RFC 1421 headers (Proc-Type, DEK-Info)
            b64.append(line.trim());
        }
        try {
            return Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(file + ": the " + block[0] + " block is not valid base64");
        }
    }

    static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}

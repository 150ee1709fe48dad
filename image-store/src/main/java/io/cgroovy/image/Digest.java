package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** sha256 content digests ("sha256:<64 hex>"), the only algorithm the store accepts. */
final class Digest {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digest() {}

    /** Checks a digest string from an untrusted document; the hex part later becomes a file name. */
    static String check(String digest, String what) {
        if (digest == null) throw new ImageException(what + ": missing digest");
        if (!SHA256.matcher(digest).matches()) {
            throw new ImageException(what + ": unsupported or malformed digest '" + digest + "'");
        }
        return digest;
    }

    static boolean isDigest(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    /** libcrypto's SHA-256 where the system has it (much faster under the launcher's C1-only JIT), else the JDK's. */
    static MessageDigest sha256() {
        MessageDigest nativeMd = NativeSha256.create();
        if (nativeMd != null) return nativeMd;
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    static String of(MessageDigest md) {
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    static String of(byte[] bytes) {
        MessageDigest md = sha256();
        md.update(bytes);
        return of(md);
    }

    static String of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        return of(md);
    }

    /** chainIDs per the OCI image spec: chain(L0)=diffID0, chain(Ln)=sha256(chain(Ln-1) + " " + diffIDn). */
    static List<String> chainIds(List<String> diffIds) {
        String[] out = new String[diffIds.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i == 0 ? diffIds.get(0)
                    : of((out[i - 1] + " " + diffIds.get(i)).getBytes(StandardCharsets.UTF_8));
        }
        return List.of(out);
    }

    /** A short form for messages where the full digest would drown the line. */
    static String shortForm(String digest) {
        return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }
}

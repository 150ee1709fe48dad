package io.cgroovy.runtime.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Just enough DER to wrap OpenSSL's PKCS#1 and SEC1 private keys into the PKCS#8 form the JDK reads. */
final class Der {
    static final int INTEGER = 0x02, OCTET_STRING = 0x04, NULL = 0x05, OID = 0x06, SEQUENCE = 0x30;
    /** rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1), encoded. */
    static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Der() {}

    /** One encoded element: tag, length, content. */
    static byte[] element(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) content.writeBytes(p);
        int n = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** PKCS#8 PrivateKeyInfo: version 0, the algorithm, the key in its algorithm's own form. */
    static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
        return element(SEQUENCE, element(INTEGER, new byte[] {0}), algorithmIdentifier, element(OCTET_STRING, key));
    }

    /** The elements inside a constructed element (a SEQUENCE or a context tag), as [tag, whole encoding]. */
    static List<byte[]> children(byte[] der, String what) throws IllegalArgumentException {
        int[] head = header(der, 0, what);
        List<byte[]> out = new ArrayList<>();
        int i = head[0], end = head[0] + head[1];
        while (i < end) {
            int[] h = header(der, i, what);
            int next = h[0] + h[1];
            out.add(Arrays.copyOfRange(der, i, next));
            i = next;
        }
        return out;
    }

    /** [content offset, content length] of the element at {@code at}. */
    static int[] header(byte[] der, int at, String what) {
        if (at + 2 > der.length) throw new IllegalArgumentException(what + " is truncated");
        int len = der[at + 1] & 0xff, off = at + 2;
        if (len >= 0x80) {
            int k = len & 0x7f;
            if (k == 0 || k > 3 || off + k > der.length) throw new IllegalArgumentException(what + " has a bad length");
            len = 0;
            for (int j = 0; j < k; j++) len = (len << 8) | (der[off + j] & 0xff);
            off += k;
        }
        if (off + len > der.length) throw new IllegalArgumentException(what + " is truncated");
        return new int[] {off, len};
    }
}

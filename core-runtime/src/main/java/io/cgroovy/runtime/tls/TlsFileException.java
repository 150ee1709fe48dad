package io.cgroovy.runtime.tls;

import java.io.IOException;

/** A certificate or key file that cannot be used: the message names the file and says why, in one line. */
public final class TlsFileException extends IOException {
    public TlsFileException(String message) {
        super(message);
    }
}

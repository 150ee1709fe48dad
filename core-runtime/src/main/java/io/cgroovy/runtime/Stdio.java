package io.cgroovy.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where a foreground container's stdin/stdout/stderr go: the JVM's own (the terminal),
 * or streams the caller supplies (tests, the shell's capture). A null stream is /dev/null.
 */
public record Stdio(boolean inherit, InputStream in, OutputStream out, OutputStream err) {
    public static Stdio inheritAll() { return new Stdio(true, null, null, null); }
    public static Stdio of(InputStream in, OutputStream out, OutputStream err) { return new Stdio(false, in, out, err); }
}

package io.cgroovy.image;

import java.nio.file.Path;
import java.util.Set;

/**
 * How to talk to registries: platform choice, progress listener, registries allowed over plain
 * HTTP, where credentials live, upload chunking. Immutable; each {@code with} returns a copy.
 */
public final class RegistryOptions {
    private final String platform;
    private final ProgressListener listener;
    private final Set<String> insecure;
    private final Path dockerConfigDir;
    private final long chunkSize;
    private final int parallel;
    private final int retries;
    private final boolean unpack;

    private RegistryOptions(String platform, ProgressListener listener, Set<String> insecure, Path dockerConfigDir,
                            long chunkSize, int parallel, int retries, boolean unpack) {
        this.platform = platform;
        this.listener = listener;
        this.insecure = insecure;
        this.dockerConfigDir = dockerConfigDir;
        this.chunkSize = chunkSize;
        this.parallel = parallel;
        this.retries = retries;
        this.unpack = unpack;
    }

    /** The host's platform, no listener, HTTPS except for loopback, Docker's config dir, monolithic uploads, 4 parallel transfers. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(null, ProgressListener.NONE, Set.of(), null, 0, 4, 5, true);
    }

    /** "os/arch" or "os/arch/variant", e.g. "linux/arm64"; chooses from manifest lists and indexes. */
    public RegistryOptions platform(String p) {
        if (p != null) Platform.parse(p);
        return new RegistryOptions(p, listener, insecure, dockerConfigDir, chunkSize, parallel, retries, unpack);
    }

    public RegistryOptions listener(ProgressListener l) {
        return new RegistryOptions(platform, l == null ? ProgressListener.NONE : l, insecure, dockerConfigDir, chunkSize, parallel, retries, unpack);
    }

    /** Registries (host or host:port) that may be reached over plain HTTP, like Docker's insecure-registries. */
    public RegistryOptions insecure(String... hosts) {
        return new RegistryOptions(platform, listener, Set.of(hosts), dockerConfigDir, chunkSize, parallel, retries, unpack);
    }

    /** The directory holding config.json (Docker's DOCKER_CONFIG); null for Docker's default. */
    public RegistryOptions dockerConfig(Path dir) {
        return new RegistryOptions(platform, listener, insecure, dir, chunkSize, parallel, retries, unpack);
    }

    /** Upload blobs in PATCH chunks of this many bytes; 0 (the default) uploads each blob in one PUT. */
    public RegistryOptions chunkSize(long bytes) {
        if (bytes < 0) throw new ImageException("chunk size must not be negative: " + bytes);
        return new RegistryOptions(platform, listener, insecure, dockerConfigDir, bytes, parallel, retries, unpack);
    }

    /** How many blobs move at once. */
    public RegistryOptions parallel(int n) {
        if (n < 1) throw new ImageException("parallel transfers must be at least 1: " + n);
        return new RegistryOptions(platform, listener, insecure, dockerConfigDir, chunkSize, n, retries, unpack);
    }

    /** Attempts per request after the first one fails (connection errors, 5xx, 429), with growing pauses. */
    public RegistryOptions retries(int n) {
        if (n < 0) throw new ImageException("retries must not be negative: " + n);
        return new RegistryOptions(platform, listener, insecure, dockerConfigDir, chunkSize, parallel, n, unpack);
    }

    /** Whether pull also unpacks the layers (as docker pull does); true by default. */
    public RegistryOptions unpack(boolean u) {
        return new RegistryOptions(platform, listener, insecure, dockerConfigDir, chunkSize, parallel, retries, u);
    }

    String platform() { return platform; }
    ProgressListener listener() { return listener; }
    Set<String> insecureHosts() { return insecure; }
    Path dockerConfigDir() { return dockerConfigDir != null ? dockerConfigDir : DockerConfig.defaultDir(); }
    long chunkSize() { return chunkSize; }
    int parallel() { return parallel; }
    int retries() { return retries; }
    boolean unpack() { return unpack; }
}

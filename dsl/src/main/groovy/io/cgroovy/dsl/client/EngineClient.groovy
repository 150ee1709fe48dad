package io.cgroovy.dsl.client

import groovy.transform.CompileStatic
import io.cgroovy.image.ImageRecord
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.ExecSettings
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.net.NetworkRecord
import io.cgroovy.runtime.net.NetworkSettings

import java.nio.file.Path
import java.time.Duration

/**
 * What the DSL's container, image, network and volume words need of an engine, so the same
 * words and recipes run on cgroovy's built-in runtime ({@link LocalClient}) or on any Docker
 * Engine API server: Docker, Podman, a remote {@code cgroovy serve} ({@link DockerApiClient}).
 */
@CompileStatic
interface EngineClient extends Closeable {
    /** 'local', or the address given to the engine word. */
    String address()

    /** One line: what answers there (name, version, API version). */
    String describe()

    /** Runs a container in the foreground (its output to {@code stdio}), removes it when it ends. */
    RunResult run(ContainerSettings settings, Stdio stdio)

    /** Creates and starts a container that lives on its own. */
    ContainerInfo runDetached(ContainerSettings settings, DetachOptions options)

    /**
     * docker run -it (or -i) without -d: {@code in} (null: no stdin) goes to its terminal or stdin,
     * its output to {@code out}/{@code err} from the first byte; removed when it ends. Empty when
     * Ctrl-P Ctrl-Q detached it (it runs on). {@code onStart} gets the id before it starts (for {@link #resize}).
     */
    Optional<RunResult> runAttached(ContainerSettings settings, DetachOptions options, InputStream in, OutputStream out,
                                    OutputStream err, java.util.function.Consumer<String> onStart)

    /** docker attach to a running container; true when Ctrl-P Ctrl-Q detached, false when it ended. */
    boolean attach(String ref, InputStream in, OutputStream out, OutputStream err)

    /** Sets the window size of a container's terminal. */
    void resize(String ref, int rows, int cols)

    List<ContainerInfo> ps(boolean all)

    ContainerInfo inspect(String ref)

    ContainerInfo start(String ref)

    int stop(String ref, Duration timeout)

    void kill(String ref, String signal)

    int waitFor(String ref)

    ContainerInfo restart(String ref, Duration timeout)

    void remove(String ref, boolean force)

    void pause(String ref)

    void unpause(String ref)

    void logs(String ref, int tail, boolean follow, OutputStream out, OutputStream err)

    int exec(String ref, ExecSettings settings, Stdio stdio)

    /**
     * docker exec -i [-t]: {@code in} to its stdin (a terminal with {@code tty}), its output to
     * {@code out}/{@code err}; {@code onStart} gets the function setting its window size (rows, cols). Its exit status.
     */
    int execAttached(String ref, ExecSettings settings, boolean tty, InputStream in, OutputStream out, OutputStream err,
                     java.util.function.Consumer<java.util.function.BiConsumer<Integer, Integer>> onStart)

    /** IPv4 addresses, one per network, in the order it joined them. */
    List<String> addresses(String ref)

    List<ImageRecord> images()

    boolean hasImage(String ref)

    ImageRecord image(String ref)

    /** Pulls {@code ref} from its registry; progress lines go to {@code messages}. */
    ImageRecord pull(String ref, String platform, boolean insecure, PrintStream messages)

    void removeImage(String ref)

    void tag(String src, String dst)

    /** Loads a docker save archive (a tar); the images it held. */
    List<ImageRecord> load(Path archive)

    List<String> volumes()

    boolean volumeExists(String name)

    void createVolume(String name)

    void removeVolume(String name)

    List<NetworkRecord> networks()

    NetworkRecord network(String name)

    /** The network with these settings, made when missing. */
    NetworkRecord ensureNetwork(NetworkSettings settings)

    void removeNetwork(String name)
}

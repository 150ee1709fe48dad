package io.cgroovy.dsl.client

import groovy.transform.CompileStatic
import io.cgroovy.dsl.PullProgress
import io.cgroovy.image.ImageRecord
import io.cgroovy.image.RegistryOptions
import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.ExecSettings
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.spec.SpecBuilder
import io.cgroovy.runtime.net.NetworkRecord
import io.cgroovy.runtime.net.NetworkSettings

import java.nio.file.Path
import java.time.Duration

/** The built-in runtime behind the DSL's words: each call goes straight to the {@link Engine}. */
@CompileStatic
final class LocalClient implements EngineClient {
    final Engine engine

    LocalClient(Engine engine) { this.engine = engine }

    @Override String address() { 'local' }

    @Override String describe() { "local: cgroovy's built-in runtime at ${engine.root()}".toString() }

    @Override RunResult run(ContainerSettings settings, Stdio stdio) { engine.run(settings, stdio) }

    /** As {@link #run(ContainerSettings, Stdio)} with the image already looked up in the store. */
    RunResult run(Snapshot image, ContainerSettings settings, Stdio stdio) { engine.run(image, settings, stdio) }

    @Override ContainerInfo runDetached(ContainerSettings settings, DetachOptions options) { engine.runDetached(settings, options) }

    /** As {@link #runDetached(ContainerSettings, DetachOptions)} with the image already looked up in the store. */
    ContainerInfo runDetached(Snapshot image, ContainerSettings settings, DetachOptions options) {
        SpecBuilder.validate(settings.resources())
        engine.runDetached(image, settings, options ?: DetachOptions.DEFAULT)
    }

    @Override List<ContainerInfo> ps(boolean all) { engine.ps(all) }

    @Override ContainerInfo inspect(String ref) { engine.inspect(ref) }

    @Override ContainerInfo start(String ref) { engine.start(ref) }

    @Override int stop(String ref, Duration timeout) { engine.stop(ref, timeout) }

    @Override void kill(String ref, String signal) { engine.kill(ref, signal) }

    @Override int waitFor(String ref) { engine.waitFor(ref) }

    @Override ContainerInfo restart(String ref, Duration timeout) { engine.restart(ref, timeout) }

    @Override void remove(String ref, boolean force) { engine.remove(ref, force) }

    @Override void pause(String ref) { engine.pause(ref) }

    @Override void unpause(String ref) { engine.unpause(ref) }

    @Override void logs(String ref, int tail, boolean follow, OutputStream out, OutputStream err) { engine.logs(ref, tail, follow, out, err) }

    @Override int exec(String ref, ExecSettings settings, Stdio stdio) { engine.exec(ref, settings, stdio) }

    @Override int execAttached(String ref, ExecSettings settings, boolean tty, InputStream in, OutputStream out, OutputStream err,
                               java.util.function.Consumer<java.util.function.BiConsumer<Integer, Integer>> onStart) {
        io.cgroovy.runtime.ExecTerminal terminal = tty ? new io.cgroovy.runtime.ExecTerminal(0, 0) : null
        // before the start a size is only kept: the process starts with it
        if (terminal != null) onStart?.accept({ Integer rows, Integer cols -> terminal.resize(rows, cols) } as java.util.function.BiConsumer<Integer, Integer>)
        engine.exec(ref, settings, Stdio.of(in, out, err), terminal)
    }

    @Override Optional<RunResult> runAttached(ContainerSettings settings, DetachOptions options, InputStream in, OutputStream out,
                                              OutputStream err, java.util.function.Consumer<String> onStart) {
        engine.runAttached(settings, options, in, out, err, onStart)
    }

    @Override boolean attach(String ref, InputStream in, OutputStream out, OutputStream err) { engine.attach(ref, in, out, err) }

    @Override void resize(String ref, int rows, int cols) { engine.resize(ref, rows, cols) }

    @Override List<String> addresses(String ref) { engine.addresses(ref) }

    @Override List<ImageRecord> images() { engine.images().list() }

    @Override boolean hasImage(String ref) { engine.images().contains(ref) }

    @Override ImageRecord image(String ref) { engine.images().inspect(ref) }

    @Override ImageRecord pull(String ref, String platform, boolean insecure, PrintStream messages) {
        RegistryOptions o = RegistryOptions.defaults().listener(new PullProgress(messages, false))
        if (platform) o = o.platform(platform)
        if (insecure) o = o.insecure(io.cgroovy.dsl.Session.registryHost(ref) ?: 'docker.io')
        engine.images().pull(ref, o)
    }

    @Override void removeImage(String ref) { engine.images().remove(ref) }

    @Override void tag(String src, String dst) { engine.images().tag(src, dst) }

    @Override List<ImageRecord> load(Path archive) { engine.images().load(archive) }

    @Override List<String> volumes() { engine.volumes().list() }

    @Override boolean volumeExists(String name) { engine.volumes().exists(name) }

    @Override void createVolume(String name) { engine.volumes().create(name) }

    @Override void removeVolume(String name) { engine.volumes().remove(name) }

    @Override List<NetworkRecord> networks() { engine.networks().list() }

    @Override NetworkRecord network(String name) { engine.networks().get(name) }

    @Override NetworkRecord ensureNetwork(NetworkSettings settings) { engine.networks().ensure(settings) }

    @Override void removeNetwork(String name) { engine.networks().remove(name) }

    /** The engine belongs to the session, which closes it. */
    @Override void close() {}
}

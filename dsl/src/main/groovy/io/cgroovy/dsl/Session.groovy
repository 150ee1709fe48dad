package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.image.ImageException
import io.cgroovy.image.ImageRecord
import io.cgroovy.image.ImageStore
import io.cgroovy.image.ProgressEvent
import io.cgroovy.image.ProgressListener
import io.cgroovy.image.RegistryOptions
import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.StdinLease
import io.cgroovy.runtime.trace.Trace
import io.cgroovy.dsl.client.DockerApiClient
import io.cgroovy.dsl.client.EngineTls
import io.cgroovy.runtime.tls.TlsFileException
import io.cgroovy.dsl.client.EngineClient
import io.cgroovy.dsl.client.EngineException
import io.cgroovy.dsl.client.LocalClient

import java.nio.file.Path

/**
 * The engine behind one shell or recipe run, opened the first time a DSL word needs it (so a
 * validation error never touches the engine), plus what the exit status is made of.
 * Closes the engine only if it opened it.
 */
@CompileStatic
class Session implements Closeable {
    /** Binding variable holding the session of a script run. */
    public static final String VARIABLE = 'cgroovySession'

    private final Path root
    private Engine engine
    private final boolean ownsEngine
    private boolean defaultImageReady
    /** Where foreground containers' stdin/stdout/stderr go; the terminal unless set. */
    Stdio stdio = Stdio.inheritAll()
    /** Exit code of the last foreground container, null before the first one. */
    Integer lastExitCode
    /** Set by Ctrl-C: the running container is stopped, and no further container starts in this snippet/recipe. */
    volatile boolean cancelled
    /** up/plan: the environment the recipe's words describe instead of running; null otherwise. */
    io.cgroovy.dsl.env.Environment model

    /** The recipe's lock (image pins), null in the shell. */
    RecipeLock lock

    /** The thread inside engine.run(), if any. */
    private Thread running

    /** Ctrl-C: marks the session cancelled and interrupts {@code thread} (the one evaluating), which stops its container. */
    void cancel(Thread thread) {
        cancelled = true
        thread?.interrupt()
    }

    private Session(Path root, Engine engine) {
        this.root = root
        this.engine = engine
        this.ownsEngine = engine == null
    }

    /** A session over the engine rooted at {@code root}, opened on first use. */
    static Session at(Path root) { new Session(root, null) }

    /** A session over the engine at $CGROOVY_ROOT or /var/lib/cgroovy. */
    static Session atDefaultRoot() { new Session(null, null) }

    /** A session over an engine someone else opened (and will close). */
    static Session using(Engine engine) { new Session(null, engine) }

    /** Where the engine word reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: this process's environment (a spec gives its own). */
    Map<String, String> environment = System.getenv()

    /** Set by the engine word: a Docker Engine API server the words drive instead of the built-in runtime. */
    private EngineClient remote
    private LocalClient local

    /** What the container, image, network and volume words go through: the remote engine when one is set, else the built-in one. */
    EngineClient client() {
        if (remote != null) return remote
        Engine e = engine()
        if (local == null || local.engine != e) local = new LocalClient(e)
        local
    }

    /** True while the words drive a remote engine. */
    boolean isRemote() { remote != null }

    /**
     * The engine word: {@code 'local'} goes back to the built-in runtime, anything else is the
     * address of a Docker Engine API server (unix:///path, tcp://host:port or ssh://[user@]host[:port][/path]:
     * ssh running `docker system dial-stdio` there), checked by asking
     * its version. One line saying what answers.
     */
    String useEngine(String address, Map options = [:]) {
        String a = address?.trim()
        if (!a) throw new DslException("engine: give unix:///path/to.sock, tcp://host:port, ssh://[user@]host[:port] or 'local'")
        if (a == 'local') {
            remote?.close()
            remote = null
            return "engine local: cgroovy's built-in runtime"
        }
        def unknown = options.keySet().findAll { it != 'tls' }
        if (unknown) throw new DslException("engine '${a}': unknown option '${unknown[0]}' (tls: [ca: FILE, cert: FILE, key: FILE])")
        EngineClient c
        String what
        try {
            javax.net.ssl.SSLContext tls = EngineTls.context(a, options.tls, environment)
            c = new DockerApiClient(a, tls)
            what = c.describe() + (tls != null ? ', TLS' : '')
        } catch (IllegalArgumentException | EngineException | TlsFileException e) {
            c?.close()
            throw new DslException("engine '${a}': ${e.message}".toString())
        }
        remote?.close()
        remote = c
        "engine ${what}".toString()
    }

    /** The address the words drive: 'local' or the engine word's. */
    String engineAddress() { remote?.address() ?: 'local' }

    /**
     * The built-in engine, opened now if needed, with the default busybox image in its store.
     * With a remote engine set, a word that needs the built-in runtime (views from /proc, build, diff...) fails naming itself.
     */
    Engine engine() {
        Engine e = builtIn()
        if (!defaultImageReady) {
            e.images().ensureDefaultBusybox()
            defaultImageReady = true
        }
        e
    }

    /** The built-in engine without making the default image: for pull, which only adds to the store (a fresh root's first pull need not build busybox first). */
    private Engine builtIn() {
        if (remote != null) throw builtInOnly(remote.address())
        if (engine == null) engine = Engine.open(root ?: Engine.defaultRoot())
        engine
    }

    /**
     * Containers get no stdin (/dev/null, like {@code docker run} without -i) and write to these
     * streams instead of the terminal: for piped input, which a container must not eat, and for tests.
     */
    void detachStdin(OutputStream out, OutputStream err) { stdio = Stdio.of(null, out, err) }

    /** The error of a word (found on the stack) that needs the built-in runtime, called while the words drive {@code address}. */
    static DslException builtInOnly(String address) {
        new DslException("${wordOnStack()}: not available on engine ${address} (it needs cgroovy's built-in runtime; engine 'local' switches back)".toString())
    }

    /** The innermost DSL word (a documented method of a word class) on the calling stack, for errors. */
    private static String wordOnStack() {
        Set<String> owners = Words.OWNERS.collect { Class<?> c -> c.name } as Set<String>
        Set<String> words = Words.all()*.name as Set<String>
        Optional<String> w = StackWalker.getInstance().walk { java.util.stream.Stream<StackWalker.StackFrame> s ->
            s.filter { StackWalker.StackFrame f -> f.className in owners }
             .map { StackWalker.StackFrame f -> property(f.methodName) }
             .filter { String n -> n in words }
             .findFirst()
        }
        w.orElse('this word')
    }

    private static String property(String m) {
        m.length() > 3 && m.startsWith('get') && Character.isUpperCase(m.charAt(3)) ? Character.toLowerCase(m.charAt(3)).toString() + m.substring(4) : m
    }

    RunResult run(ContainerSettings settings) { run(settings, null) }

    /** A foreground container; {@code image}: the built-in store's snapshot of its image when {@link #pinImage} found it. */
    RunResult run(ContainerSettings settings, Snapshot image) {
        EngineClient e = client()
        synchronized (this) { running = Thread.currentThread() }
        try {
            RunResult r = image != null && e instanceof LocalClient ? ((LocalClient) e).run(image, settings, stdio) : e.run(settings, stdio)
            lastExitCode = r.exitCode()
            r
        } finally {
            synchronized (this) {
                running = null
                notifyAll()
            }
        }
    }

    /**
     * For a JVM shutdown (SIGTERM, SIGHUP when the terminal goes away): stops the foreground
     * container the way Ctrl-C does and waits up to {@code millis} for the engine to clean it up.
     * True when nothing is left running.
     */
    synchronized boolean stopRunning(long millis) {
        if (running == null) return true
        cancel(running)
        long end = System.currentTimeMillis() + millis
        while (running != null && System.currentTimeMillis() < end) wait(Math.max(1L, end - System.currentTimeMillis()))
        running == null
    }

    ImageStore images() { engine().images() }

    /** Where login writes and registries read credentials; null: Docker's ($DOCKER_CONFIG or ~/.docker). */
    Path dockerConfigDir

    /** Where pull/push progress and messages go: the containers' stderr when set, else the terminal's. */
    PrintStream messages() {
        if (!stdio.inherit() && stdio.err() != null) {
            OutputStream e = stdio.err()
            return e instanceof PrintStream ? (PrintStream) e : new PrintStream(e, true)
        }
        System.err
    }

    void message(String line) { messages().println(line) }

    /** Set by the shell: pull/push progress goes to it (bars) instead of {@link PullProgress}'s lines. */
    volatile ProgressView progressView

    private ProgressListener progressListener() {
        ProgressView view = progressView
        if (view == null || !stdio.inherit()) return new PullProgress(messages(), stdio.inherit() && System.console() != null)
        return { ProgressEvent e ->
            view.event(e.item(), e.state().name(), e.bytes(), e.size(), e.totalBytes(), e.totalSize())
        } as ProgressListener
    }

    RegistryOptions registryOptions(Map<String, ?> options) { registryOptions(options, null) }

    /** With {@code traced} (a trace run for this pull), the pull's steps are recorded in it as well. */
    RegistryOptions registryOptions(Map<String, ?> options, Trace.Run traced) {
        Set<String> unknown = new LinkedHashSet<>(options.keySet())
        unknown.removeAll(['platform', 'insecure'])
        if (unknown) throw new DslException("unknown option '${unknown.iterator().next()}' (platform:, insecure:)")
        RegistryOptions o = RegistryOptions.defaults().dockerConfig(dockerConfigDir)
                .listener(traced == null ? progressListener() : new PullTrace(traced, progressListener()))
        if (options.platform != null) o = o.platform(String.valueOf(options.platform))
        o
    }

    ImageRecord pull(String ref, Map<String, ?> options) {
        if (remote != null) {
            registryOptions(options)   // the same option check
            return remote.pull(ref, options.platform as String, options.insecure as boolean, messages())
        }
        traced("pull ${ref}") { Trace.Run run ->
            RegistryOptions o = registryOptions(options, run)
            if (options.insecure) o = o.insecure(registryHost(ref) ?: 'docker.io')
            builtIn().images().pull(ref, o)
        }
    }

    /** Runs {@code body} with a trace run of its own when a trace is on (else with null). */
    private static <T> T traced(String name, Closure<T> body) {
        Trace.Run run = Trace.startRun(name)
        try {
            body.call(run)
        } finally {
            run?.end()
        }
    }

    String push(String src, String dst, Map<String, ?> options) {
        RegistryOptions o = registryOptions(options)
        if (options.insecure) o = o.insecure(registryHost(dst ?: src) ?: 'docker.io')
        String digest = images().push(src, dst, o)
        message("${dst ?: src}: digest: ${digest}")
        digest
    }

    void login(String host, String user, String password) {
        ImageStore.login(host, user, password, RegistryOptions.defaults().dockerConfig(dockerConfigDir))
    }

    /**
     * Before a container starts: an image missing from the store is pulled, as {@code docker run}
     * does ("alpine" from Docker Hub, "localhost:5000/app" from that registry). When the pull
     * fails the error says both: the image is not here, and why it could not be had.
     * The built-in store's snapshot of an image it had (null otherwise), so a run need not look again.
     */
    Snapshot ensureImage(String ref, String platform) {
        if (remote != null) {
            if (remote.hasImage(ref)) return null
            message("Unable to find image '${ref}' locally, pulling it")
            try {
                remote.pull(ref, platform, false, messages())
            } catch (EngineException e) {
                throw new EngineException("no such image: ${ref} (not on ${remote.address()}, and pulling it failed: ${e.message})")
            }
            return null
        }
        Snapshot here = images().snapshotIfPresent(ref)
        if (here != null) return here
        Map<String, ?> o = platform ? [platform: platform] : [:]
        message("Unable to find image '${ref}' locally, pulling it")
        try {
            traced("pull ${ref}") { Trace.Run run -> images().pull(ref, registryOptions(o, run)) }
        } catch (ImageException e) {
            throw new ImageException("no such image: ${ref} (not in the store, and pulling it failed: ${e.message})", e)
        }
        null
    }

    /** Docker's rule: the first path component is a registry host when it has '.' or ':' or is localhost. */
    static String registryHost(String ref) {
        int slash = ref.indexOf('/')
        if (slash <= 0) return null
        String first = ref.substring(0, slash)
        first.contains('.') || first.contains(':') || first == 'localhost' ? first : null
    }

    /** Starts a detached container; its handle. */
    Container runDetached(ContainerSettings settings, DetachOptions options, Snapshot image = null) {
        EngineClient e = client()
        ContainerInfo info = image != null && e instanceof LocalClient ? ((LocalClient) e).runDetached(image, settings, options) : e.runDetached(settings, options)
        new Container(this, info, settings)
    }

    /**
     * docker run -it without -d: the container runs under its monitor with a terminal (or open
     * stdin), the caller's terminal is attached until it ends, then it is removed like a foreground one.
     * Ctrl-P Ctrl-Q leaves it running detached; the handle then says so. The same on a remote engine
     * (a hijacked attach stream; the window size through its resize endpoint).
     */
    Container runAttached(ContainerSettings settings, DetachOptions options) {
        EngineClient e = client()
        OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
        OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
        AttachTerminal term = attachTerminal(options.tty())
        String[] started = new String[1]
        Optional<RunResult> r
        StdinLease lease = null
        synchronized (this) { running = Thread.currentThread() }
        try {
            InputStream input = term != null ? term.begin(options.tty()) : (stdio.inherit() ? (lease = StdinLease.take()) : stdio.in())
            r = e.runAttached(settings, options, input, out, err, { String id ->
                started[0] = id
                if (options.tty()) term?.onResize { Integer rows, Integer cols -> e.resize(id, rows, cols) }
            } as java.util.function.Consumer<String>)
        } finally {
            term?.end()
            lease?.end()
            synchronized (this) {
                running = null
                notifyAll()
            }
        }
        if (r.isEmpty()) {
            if (term != null) endLine(out)
            return new Container(this, e.inspect(started[0]), settings)
        }
        lastExitCode = r.get().exitCode()
        new Container(settings, r.get())
    }

    /**
     * docker exec -it (or -i): one more process in a running container with the caller's terminal
     * (raw, its size passed on now and at every window change) or stdin; its exit status.
     */
    int execAttached(EngineClient e, String ref, io.cgroovy.runtime.ExecSettings settings, boolean tty) {
        OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
        OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
        AttachTerminal term = attachTerminal(tty)
        StdinLease lease = null
        try {
            InputStream input = term != null ? term.begin(tty) : (stdio.inherit() ? (lease = StdinLease.take()) : stdio.in())
            e.execAttached(ref, settings, tty, input, out, err, { java.util.function.BiConsumer<Integer, Integer> resize ->
                if (tty) term?.onResize(resize)
            } as java.util.function.Consumer<java.util.function.BiConsumer<Integer, Integer>>)
        } finally {
            term?.end()
            lease?.end()
        }
    }

    /** Set by the shell: attach uses its terminal (and keyboard) instead of /dev/tty and the JVM's stdin. */
    volatile AttachTerminal terminal

    /** The terminal to attach: the shell's, else /dev/tty for a TTY container; null when streams are redirected. */
    private AttachTerminal attachTerminal(boolean tty) {
        if (!stdio.inherit()) return null
        if (terminal != null) return terminal
        tty ? Terminal.open() : null
    }

    /** Prints a container's log to this session's streams (docker logs [--tail N] [-f]). */
    void logs(String ref, Map<String, ?> options) {
        Object tail = options?.tail
        int n = tail == null || String.valueOf(tail) == 'all' ? -1 : (tail as Integer)
        if (n < -1) throw new DslException("logs: tail ${tail} must not be negative")
        OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
        OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
        client().logs(ref, n, options?.follow as boolean, out, err)
    }

    /**
     * Attaches this session's streams to a running container; a real terminal goes raw for a TTY
     * container and passes its size on (at once and on every SIGWINCH). True when Ctrl-P Ctrl-Q detached.
     */
    boolean attach(String ref) {
        EngineClient e = client()
        ContainerInfo info = e.inspect(ref)
        OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
        OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
        AttachTerminal term = attachTerminal(info.tty())
        StdinLease lease = null
        try {
            InputStream input = term != null ? term.begin(info.tty()) : (stdio.inherit() ? (lease = StdinLease.take()) : stdio.in())
            if (info.tty()) term?.onResize { Integer rows, Integer cols -> e.resize(info.id(), rows, cols) }
            boolean detached = e.attach(info.id(), input, out, err)
            if (detached && term != null) endLine(out)
            detached
        } finally {
            term?.end()
            lease?.end()
        }
    }

    /** After Ctrl-P Ctrl-Q the cursor is where the container left it (after its prompt): what comes next starts a line. */
    private static void endLine(OutputStream out) {
        out.write('\r\n'.getBytes('UTF-8'))
        out.flush()
    }

    /**
     * The image reference to run for {@code ref}, pulled first when it names a registry and is not
     * here; in a recipe with a lock, pinned to the locked digest (pulled by digest when missing).
     */
    String pin(String ref, String platform = null) {
        pinImage(ref, platform).ref()
    }

    /** What {@link #pin} gives: the reference to run and, when the built-in store had that very image, its snapshot (else null). */
    static record Pinned(String ref, Snapshot image) {}

    /** As {@link #pin}, with the snapshot the store's one look found (a run of it then does not look it up again). */
    Pinned pinImage(String ref, String platform = null) {
        if (remote != null) {
            // a remote engine's images are its own: the recipe's lock pins the built-in store's digests
            ensureImage(ref, platform)
            return new Pinned(ref, null)
        }
        if (lock != null && made.contains(RecipeLock.key(ref))) {
            // the recipe made this image itself (a build, a commit, a tag): its bases are what the lock pins
            if (model?.lockOnly) return new Pinned(ref, null)
            return new Pinned(ref, ensureImage(ref, platform))
        }
        if (lock == null || ref.contains('@')) {
            Snapshot image = ensureImage(ref, platform)
            if (lock == null && !ref.contains('@')) remember(ref, image)
            return new Pinned(ref, image)
        }
        lock.fetch = { String pinned -> ensureImage(pinned, platform) }
        if (!lock.pins.containsKey(RecipeLock.key(ref))) ensureImage(ref, platform)
        new Pinned(lock.resolve(ref, images()), null)
    }

    /** References (as {@link RecipeLock#key}) this recipe run built, committed or tagged: never pinned. */
    private final Set<String> made = Collections.synchronizedSet(new HashSet<String>())

    /** Records that the recipe made the image {@code ref} (so a later {@code container(ref)} runs what it made). */
    void made(String ref) {
        if (ref) made.add(RecipeLock.key(ref))
    }

    /** In the shell (no lock): each image reference a container was made from, with its digest then; what {@link #writeLock} pins. */
    private final Map<String, String> used = Collections.synchronizedMap(new TreeMap<String, String>())

    private void remember(String ref, Snapshot image) {
        if (image != null) {
            used.put(ref, image.manifestDigest() ?: image.imageId())
            return
        }
        try {
            ImageRecord r = images().inspect(ref) // just pulled
            used.put(ref, r.manifestDigest() ?: r.id())
        } catch (io.cgroovy.image.ImageException ignored) {
            // not in the store: the container's own error says so
        }
    }

    /**
     * Writes the lock of {@code recipe} (saved from this session): each image a container of the
     * session was made from and that {@code text} names in quotes, pinned to the digest it had, so
     * that {@code cgroovy run} rebuilds with the same images. The lock file.
     */
    Path writeLock(Path recipe, String text) {
        RecipeLock l = RecipeLock.forRecipe(recipe, true)
        new TreeMap<String, String>(used).each { String ref, String digest ->
            if (text.contains("'${ref}'".toString()) || text.contains("\"${ref}\"".toString())) l.pin(ref, digest)
        }
        l.write()
        l.file
    }

    @Override
    void close() {
        remote?.close()
        remote = null
        if (ownsEngine && engine != null) {
            Engine e = engine
            engine = null
            e.close()
        }
    }
}

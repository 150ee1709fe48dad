package io.cgroovy.dsl

import io.cgroovy.image.ImageRecord
import io.cgroovy.image.ImageStore
import io.cgroovy.dsl.env.Environment
import io.cgroovy.dsl.env.Resource
import io.cgroovy.dsl.env.SettingsHash
import io.cgroovy.image.ImageException
import io.cgroovy.runtime.ContainerException
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.build.Builder
import io.cgroovy.runtime.build.DockerIgnore
import io.cgroovy.runtime.build.Dockerfile
import io.cgroovy.runtime.build.Stage
import io.cgroovy.runtime.net.NetworkSettings
import io.cgroovy.dsl.client.EngineClient
import io.cgroovy.dsl.client.EngineException

import java.nio.file.Files
import java.nio.file.Path

/**
 * The base class of every shell line and recipe: the top-level DSL words.
 * The engine comes from the binding: a {@link Session} under {@value Session#VARIABLE}, else
 * an engine under {@code engine}, else the engine at the default root.
 */
@WordScope('top')
abstract class CgroovyScript extends Script {
    /** The top-level words (from {@link Words}), for "did you mean" and completion. */
    public static final List<String> WORDS = Words.names('top')

    CgroovyScript() {}

    CgroovyScript(Binding binding) { super(binding) }

    /**
     * Builds a container from the closure, checks its settings, then runs it in the
     * foreground and returns when it has ended. Without {@code run}/{@code cmd} the image's Cmd runs.
     */
    @Word(value = 'Runs a container of IMAGE in the foreground with the settings of the closure; returns its handle when it ends.',
            usage = 'container(IMAGE) { SETTINGS }', example = "c = container('busybox') { memory '64m'; run 'echo hi' }")
    Container container(Map<String, ?> options, String image,
                        @DelegatesTo(value = ContainerSpec, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        ContainerSpec spec = new ContainerSpec()
        spec.script = this
        if (options) spec.apply(options)
        if (body != null) {
            Closure<?> c = (Closure<?>) body.clone()
            c.resolveStrategy = Closure.DELEGATE_FIRST
            c.delegate = spec
            c.call(spec)
        }
        image = spec.imageRef(image)
        spec.settings(image)   // every mistake is found before the engine is opened
        DetachOptions detachOptions = spec.detachOptions()
        Session session = cgroovySession()
        if (session.cancelled) throw new InterruptedException()
        if (session.model != null) return want(session, spec, image, detachOptions)
        ContainerSettings settings
        RunResult result
        try {
            Session.Pinned pinned = session.pinImage(image, spec.platformWanted)
            settings = spec.settings(pinned.ref())
            if (spec.detached) return session.runDetached(settings, detachOptions, pinned.image())
            // docker run -it; on a remote engine also -i (the built-in runtime's foreground container reads stdin as it is)
            if (detachOptions.tty() || (session.isRemote() && detachOptions.interactive())) return session.runAttached(settings, detachOptions)
            result = session.run(settings, pinned.image())
        } catch (ImageException | ContainerException | EngineException e) {
            // the engine's one-line error, with the word and image it came from
            throw new DslException("container('${image}'): ${e.message}".toString(), e.stackTrace)
        } finally {
            // A Ctrl-C while the container ran was for the container (the engine stopped it): the
            // handle still comes back; session.cancelled keeps later containers from starting.
            Thread.interrupted()
        }
        Container handle = new Container(settings, result, image)
        handle.session = session
        handle
    }

    /** up/plan: records the container the recipe wants, by name, with its settings hash; nothing runs. */
    private static Container want(Session session, ContainerSpec spec, String image, DetachOptions options) {
        Environment env = session.model
        String pinned
        try {
            pinned = session.pin(image, spec.platformWanted)
        } catch (ImageException e) {
            throw new DslException("container('${image}'): ${e.message}".toString(), e.stackTrace)
        }
        ContainerSettings plain = spec.settings(pinned)
        if (env.lockOnly) return Container.planned(plain, image, session)
        if (plain.name() == null) {
            throw new DslException("container('${image}'): up needs a name for it (name 'web'): it finds containers by name".toString())
        }
        // a container on a network the recipe declares changes with it (a new subnet means a new container)
        Set<String> joins = plain.network().networks().collect { it.network() } as Set
        List<String> networkHashes = env.wanted.findAll { Resource r -> r.kind == Resource.Kind.NETWORK && r.name in joins }
                .collect { Resource r -> "${r.name}=${r.hash}".toString() }
        String hash = SettingsHash.of([settings: plain, options: options, networks: networkHashes])
        ContainerSettings labelled = spec.settings(pinned, env.labelsFor(hash))
        env.want(Resource.wanted(Resource.Kind.CONTAINER, plain.name(), new Environment.Wanted(labelled, options), hash))
        Container.planned(labelled, image, session)
    }

    /** {@code container(name: 'web') { image 'busybox'; ... }}: the image written inside. */
    Container container(Map<String, ?> options, @DelegatesTo(value = ContainerSpec, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        container(options, (String) null, body)
    }

    /** {@code container { image 'busybox'; ... }} */
    Container container(@DelegatesTo(value = ContainerSpec, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        container([:], (String) null, body)
    }

    Container container(String image, @DelegatesTo(value = ContainerSpec, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        container([:], image, body)
    }

    Container container(String image) { container([:], image, null) }

    Container container(Map<String, ?> options, String image) { container(options, image, null) }

    @Word(value = 'The running detached containers as a table (docker ps); all: true lists the ended ones too.', usage = 'ps([all: true])', example = 'ps(all: true)')
    ContainerList ps(Map<String, ?> options = [:]) {
        Session s = cgroovySession()
        new ContainerList(s, s.client().ps(options?.all as boolean))
    }

    @Word(value = 'The handle of a detached container by name or id prefix, also one another shell started.', usage = 'inspect NAME', example = "c = inspect('web')")
    Container inspect(String ref) {
        Session s = cgroovySession()
        new Container(s, s.client().inspect(ref), null)
    }

    @Word(value = "Prints a detached container's log (docker logs); tail: N, follow: true.", usage = 'logs NAME[, tail: N, follow: true]', example = "logs 'web', tail: 10")
    void logs(Map<String, ?> options = [:], String ref) { cgroovySession().logs(ref, options) }

    @Word(value = 'Stops a detached container: SIGTERM, SIGKILL after time seconds (default 10); returns its exit status.', usage = 'stop NAME[, time: SECONDS]', example = "stop 'web'")
    int stop(Map<String, ?> options = [:], String ref) { if (locking()) return 0; inspect(ref).stop((Number) (options?.time ?: 10)) }

    @Word(value = 'Removes a detached container; force: true kills it first if it runs (docker rm -f).', usage = 'rm NAME[, force: true]', example = "rm 'web', force: true")
    void rm(Map<String, ?> options = [:], String ref) { if (locking()) return; inspect(ref).rm(options) }

    @Word(value = 'Connects the terminal to a running detached container; Ctrl-P Ctrl-Q detaches.', usage = 'attach NAME', example = "attach 'web'")
    void attach(String ref) { cgroovySession().attach(ref) }
    /** {@code container(image: 'busybox', name: 'web')} */
    Container container(Map<String, ?> options) { container(options, (String) null, null) }

    /** The images in the store (prints as a table). */
    @Word(value = 'The images in the local store, as a table (docker images).', usage = 'images()', example = 'images()')
    ImageList images() {
        Session s = cgroovySession()
        if (s.isRemote()) return new ImageList(s.client().images().collect { ImageRecord r -> Image.of(r) })
        ImageStore store = cgroovySession().images()
        new ImageList(store.list().collect { ImageRecord r -> Image.of(r, store) })
    }

    /** Loads a {@code docker save} archive or an OCI layout (directory or tar); returns the images loaded. */
    @Word(value = 'Loads a docker save archive or an OCI layout (directory or tar) into the store.', usage = 'load PATH', example = "load '/tmp/busybox.tar'")
    ImageList load(Object path) {
        Session s = cgroovySession()
        if (s.isRemote()) return new ImageList(s.client().load(java.nio.file.Path.of(String.valueOf(path))).collect { ImageRecord r -> Image.of(r) })
        new ImageList(cgroovySession().images().load(java.nio.file.Path.of(String.valueOf(path))).collect { ImageRecord r -> Image.of(r) })
    }

    /** Removes a tag, or the image when it was the last one. */
    @Word(value = 'Removes a tag, or the image when it was its last tag (docker rmi).', usage = 'rmi REF', example = "rmi 'busybox:old'")
    void rmi(String ref) { if (locking()) return; cgroovySession().client().removeImage(ref) }

    /** Gives image {@code src} the additional name {@code dst}; returns the image. */
    @Word(value = 'Gives an image another name (docker tag).', usage = 'tag SRC, DST', example = "tag 'busybox', 'mybox:1'")
    Image tag(String src, String dst) {
        Session session = cgroovySession()
        session.made(dst)
        if (session.model?.lockOnly) return Image.planned(dst)
        if (session.isRemote()) {
            session.client().tag(src, dst)
            return Image.of(session.client().image(dst))
        }
        ImageStore store = session.images()
        store.tag(src, dst)
        Image.of(store.inspect(dst))
    }

    /** The names of the volumes ({@code docker volume ls}). */
    @Word(value = 'The names of the volumes (docker volume ls).', usage = 'volumes()', example = 'volumes()')
    List<String> volumes() { cgroovySession().client().volumes() }

    /** Removes a volume and its data; refused while a container uses it. */
    @Word(value = 'Removes a volume and its data; refused while a container uses it.', usage = 'rmVolume NAME', example = "rmVolume 'data'")
    void rmVolume(String name) { if (locking()) return; cgroovySession().client().removeVolume(name) }

    /** Fetches an image from its registry, as {@code docker pull}; progress goes to the terminal. */
    @Word(value = 'Fetches an image from its registry (docker pull); options platform: and insecure: true.', usage = "pull REF",
            example = "pull 'localhost:5000/app:1', platform: 'linux/arm64'")
    Image pull(Map<String, ?> options, String ref) {
        Image.of(cgroovySession().pull(ref, options ?: [:]))
    }

    Image pull(String ref) { pull([:], ref) }

    /** Uploads an image to its registry (or under another name); returns the manifest digest. */
    @Word(value = 'Uploads an image to a registry (docker push); returns the manifest digest.', usage = "push REF  or  push SRC, DST",
            example = "push 'busybox', 'localhost:5000/busybox:1'")
    String push(Map<String, ?> options, String src, String dst) { if (locking()) return null; cgroovySession().push(src, dst, options ?: [:]) }

    String push(String src, String dst) { push([:], src, dst) }

    String push(String ref) { push([:], ref, null) }

    /** Writes an image to a file: a docker save archive, or an OCI layout (format: 'oci'). */
    @Word(value = "Writes an image to a docker save archive (default) or an OCI layout (format: 'oci'; a dir, or a .tar).",
            usage = "save REF, FILE", example = "save 'busybox', '/tmp/busybox.tar'")
    void save(Map<String, ?> options, String ref, Object file) {
        if (locking()) return
        String format = options?.format ?: 'docker-archive'
        cgroovySession().images().save(ref, java.nio.file.Path.of(String.valueOf(file)), format.toString())
    }

    void save(String ref, Object file) { save([:], ref, file) }

    /** Checks credentials with a registry and stores them in Docker's config.json, as {@code docker login}. */
    @Word(value = "Logs in to a registry and stores the credentials in ~/.docker/config.json (docker login).",
            usage = "login HOST, user: NAME, password: SECRET", example = "login 'localhost:5000', user: 'me', password: 's3cret'")
    void login(Map<String, ?> creds, String host) {
        Set<String> unknown = new LinkedHashSet<>(creds.keySet()); unknown.removeAll(['user', 'password'])
        if (unknown) throw new DslException("login: unknown option '${unknown.iterator().next()}' (user:, password:)")
        if (creds.user == null || creds.password == null) throw new DslException("login ${host}: needs user: and password:")
        if (locking()) return
        cgroovySession().login(host, String.valueOf(creds.user), String.valueOf(creds.password))
        cgroovySession().message("Login Succeeded")
    }

    void login(String host) { throw new DslException("login ${host}: needs user: and password:") }

    @Word(value = 'Builds an image from steps (each filesystem change a layer, cached); returns it.', usage = "image(TAG) { from ...; run ...; copy ... }",
          example = "image('web:1') { from 'busybox'; run 'mkdir /www'; cmd 'httpd', '-f' }")
    Image image(String tag, @DelegatesTo(value = ImageSpec, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        ImageSpec spec = new ImageSpec()
        Closure<?> c = (Closure<?>) body.clone()
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.delegate = spec
        c.call(spec)
        Path ctx = Path.of(spec.context ?: System.getProperty('user.dir'))
        runBuild(spec.stages(), ctx, tag ? [tag] : [], [:], spec.noCache, ctx)
    }

    /** An image in the store by name, digest or id prefix: its layers and history are properties. */
    @Word(value = "An image in the store by name, digest or id prefix (.layers, .history show how it is made); with a closure, builds one from steps.",
          usage = "image(REF)  or  image(TAG) { from ...; run ...; copy ... }", example = "image('busybox').layers")
    Image image(String ref) {
        ImageStore store = cgroovySession().images()
        Image.of(store.inspect(ref), store)
    }

    /**
     * Runs the closure with tracing on for this thread: every foreground container it runs reports the engine's
     * phases and each launch-plan step the executor took (clone, mounts, pivot_root, ..., execve) with its time.
     */
    @Word(value = 'Runs the closure and shows each step the engine and executor took for its containers (clone, mounts, pivot_root, execve...) with times.',
          usage = 'trace { ... }', example = "trace { container('busybox') { run 'true' } }")
    View trace(Closure<?> body) {
        boolean outer = io.cgroovy.runtime.trace.Trace.current() == null // a trace inside a trace adds to the outer one
        io.cgroovy.runtime.trace.Trace t = io.cgroovy.runtime.trace.Trace.begin()
        long start = System.nanoTime()
        try {
            body.call()
        } finally {
            if (outer) io.cgroovy.runtime.trace.Trace.end()
        }
        TraceView.of(t, System.nanoTime() - start)
    }

    /** Which images share which layers, sizes counted once. */
    @Word(value = 'Which images share which layers, as a tree of layer chains; the total counts each layer once.',
          usage = 'imageTree()', example = 'imageTree()')
    View imageTree() { ImageViews.tree(cgroovySession().images()) }

    @Word(value = 'Builds the Dockerfile in a directory (docker build); options file:, context:, tag:, buildArgs: (SOURCE_DATE_EPOCH: every time the build writes), noCache:.',
          usage = "build DIR | build file: F, context: DIR, tag: T, buildArgs: [K: V]", example = "build 'app', tag: 'app:1'")
    Image build(Map<String, ?> options, String dir) {
        Set<String> known = ['file', 'context', 'tag', 'buildArgs', 'noCache'] as Set
        for (String k : options.keySet()) if (!(k in known)) throw new DslException("build: unknown option '${k}'${Suggest.didYouMean(k, known)}")
        Path ctx = Path.of(String.valueOf(options.context ?: dir ?: (options.file ? Path.of(String.valueOf(options.file)).toAbsolutePath().parent : '.')))
        Path file = options.file ? Path.of(String.valueOf(options.file)) : ctx.resolve('Dockerfile')
        if (!Files.isDirectory(ctx)) throw new DslException("build: context ${ctx} is not a directory")
        if (!Files.isRegularFile(file)) throw new DslException("build: no Dockerfile at ${file}")
        Map<String, String> args = [:]
        ((Map<?, ?>) (options.buildArgs ?: [:])).each { k, v -> args.put(String.valueOf(k), String.valueOf(v)) }
        List<Stage> stages = Dockerfile.parse(Files.readString(file), file.toString(), args)
        List<String> tags = options.tag ? [String.valueOf(options.tag)] : []
        runBuild(stages, ctx, tags, args, options.noCache == true, ctx)
    }

    Image build(String dir) { build([:], dir) }

    Image build(Map<String, ?> options) { build(options, null) }

    private Image runBuild(List<Stage> stages, Path ctx, List<String> tags, Map<String, String> args, boolean noCache, Path ignoreDir) {
        Session session = cgroovySession()
        stages = pinBases(session, stages)
        tags.each { session.made(it) }
        if (session.model?.lockOnly) return Image.planned(tags ? tags[0] : null)
        DockerIgnore ignore = DockerIgnore.of(ignoreDir)
        Engine engine = session.engine()
        Stdio stdio = session.stdio
        PrintStream log = stdio.inherit() || stdio.out() == null ? System.out : new PrintStream(stdio.out(), true)
        // as with BuildKit, a SOURCE_DATE_EPOCH build arg beats the environment's
        long epoch = Builder.Options.defaultEpoch()
        String given = args.get('SOURCE_DATE_EPOCH')
        if (given != null) {
            if (!(given ==~ /[0-9]{1,12}/)) throw new DslException("build: SOURCE_DATE_EPOCH '${given}' is not a number of seconds")
            epoch = Long.parseLong(given)
        }
        Builder.Result r = new Builder(engine).build(stages, new Builder.Options(ctx, args, noCache, epoch,
                tags, ignore, log, stdio.inherit() ? Stdio.inheritAll() : Stdio.of(null, stdio.out(), stdio.err())))
        Image img = Image.of(engine.images().inspect(r.imageId()))
        img.stepsRun = r.stepsRun()
        img.cacheHits = r.cacheHits()
        img
    }

    /**
     * The stages with each base image ({@code FROM}) that is not scratch or an earlier stage pinned as
     * a container's image is: through the recipe's lock (its digest), pulled when it names a registry.
     */
    private static List<Stage> pinBases(Session session, List<Stage> stages) {
        Set<String> earlier = new HashSet<>()
        List<Stage> out = []
        for (Stage st : stages) {
            String from = st.from()
            if (from != 'scratch' && !(from in earlier)) {
                try {
                    from = session.pin(from, null)
                } catch (ImageException e) {
                    throw new DslException("${st.where() ?: 'build'}: FROM ${st.from()}: ${e.message}".toString(), e.stackTrace)
                }
            }
            if (st.name() != null) earlier << st.name()
            out << new Stage(st.name(), from, st.where(), st.steps())
        }
        out
    }

    /** One sample of the running containers' cgroup usage, as Docker's stats table. */
    @Word(value = "CPU, memory and pids use of the running containers as a table (docker stats --no-stream); stats(c) refreshes in the shell until a key is pressed.",
            usage = 'stats([CONTAINER])', example = "stats()")
    StatsList stats() { StatsList.sample(cgroovySession(), [], false) }

    /** The usage of one container (a handle, a name or an id); the shell keeps it refreshing. */
    StatsList stats(Object container) {
        String ref = container instanceof Container ? ((Container) container).id : String.valueOf(container)
        StatsList.sample(cgroovySession(), [ref], true)
    }

    /** Binding variable: the {@code -p name=value} pairs given to the recipe (Map<String, String>). */
    public static final String PARAMS_GIVEN = 'cgroovyParams'
    /** Binding variable set once {@code params} ran (so the recipe runner knows the -p pairs were checked). */
    public static final String PARAMS_DECLARED = 'cgroovyParamsDeclared'

    /**
     * Declares the recipe's parameters with their defaults; values given with {@code -p name=value}
     * replace them, coerced to the default's type. Each becomes a variable of the recipe.
     */
    @Word(value = 'Declares parameters with defaults; -p NAME=VALUE replaces one (same type). A type instead of a default: must be given.',
            usage = 'params { NAME DEFAULT; ... }', example = 'params { port 8080; tag String }')
    Map<String, Object> params(@DelegatesTo(value = ParamsSpec, strategy = Closure.DELEGATE_ONLY) Closure<?> body) {
        ParamsSpec spec = new ParamsSpec()
        Closure<?> c = (Closure<?>) body.clone()
        c.resolveStrategy = Closure.DELEGATE_ONLY
        c.delegate = spec
        c.call(spec)
        Map<String, String> given = binding.hasVariable(PARAMS_GIVEN) ? (Map<String, String>) binding.getVariable(PARAMS_GIVEN) : [:]
        Map<String, Object> values = spec.resolve(given)
        values.each { String k, Object v -> binding.setVariable(k, v) }
        binding.setVariable(PARAMS_DECLARED, true)
        values
    }

    /**
     * Removes what nothing uses, like {@code docker system prune}: containers that are not running,
     * dangling (untagged) images no container refers to, and the build cache. Returns what it removed.
     */
    @Word(value = 'Removes stopped containers, dangling (untagged) images no container uses and the build cache (docker system prune).',
            usage = 'prune()', example = 'prune()')
    Pruned prune() {
        if (locking()) return new Pruned([], [], [], 0, 0L)
        Engine engine = cgroovySession().engine()
        List<String> containers = []
        List<ContainerInfo> all = engine.ps(true)
        for (ContainerInfo c : all) {
            if (c.isRunning()) continue
            engine.remove(c.id(), false)
            containers << c.id()
        }
        Set<String> inUse = new HashSet<>()
        for (ContainerInfo c : all) {
            if (!c.isRunning()) continue
            try {
                inUse << engine.images().inspect(c.image()).id()
            } catch (ImageException ignored) {
                // its image was removed already: nothing to keep
            }
        }
        List<String> images = []
        for (ImageRecord r : engine.images().list()) {
            if (!r.tags().isEmpty() || inUse.contains(r.id())) continue
            engine.images().remove(r.id())
            images << r.id()
        }
        Builder.CachePruned cache = new Builder(engine).pruneCache()
        new Pruned(containers, images, cache.images(), cache.entries(), cache.bytesFreed())
    }

    /**
     * docker builder prune: drops the build cache and the build-step images only it held, with
     * their layers; tagged images stay whole. The next build runs every step again.
     */
    @Word(value = 'Removes the build cache: its entries and the untagged build-step images no container uses, with their layers (docker builder prune).',
            usage = 'builderPrune()', example = 'builderPrune()')
    Pruned builderPrune() {
        if (locking()) return new Pruned([], [], [], 0, 0L)
        Builder.CachePruned cache = new Builder(cgroovySession().engine()).pruneCache()
        new Pruned([], [], cache.images(), cache.entries(), cache.bytesFreed())
    }

    @Word(value = "Creates a network like docker network create (or returns it when it exists with the same settings); in up, one the recipe owns.",
            usage = "network(NAME) { subnet CIDR; gateway IP; ipRange CIDR; mtu N; internal true }", example = "network('backend') { subnet '10.89.0.0/24' }")
    Network network(String name, @DelegatesTo(value = NetworkDefinition, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        NetworkDefinition d = new NetworkDefinition()
        if (body != null) {
            Closure<?> c = (Closure<?>) body.clone()
            c.resolveStrategy = Closure.DELEGATE_FIRST
            c.delegate = d
            c.call(d)
        }
        NetworkSettings settings = d.settings(name)
        Session session = cgroovySession()
        if (session.model != null) return wantNetwork(session, settings)
        new Network(session.client().ensureNetwork(settings))
    }

    /** An existing network by name (the default one, bridge, is made on first use); a new one with a free subnet when unknown. */
    Network network(String name) {
        Session session = cgroovySession()
        if (session.isRemote() && session.model == null) {
            EngineClient c = session.client()
            return new Network(c.networks().any { it.name == name } ? c.network(name) : c.ensureNetwork(new NetworkSettings(name, null, null, null, null, false)))
        }
        def n = session.engine().networks()
        boolean exists = n.list().any { it.name == name }
        if (session.model != null && name != NetworkSettings.DEFAULT) {
            // up/plan: a network someone else made is used as it is (external); else the recipe owns it
            String owner = Environment.ownerOf(session.engine(), Resource.Kind.NETWORK, name)
            if (!exists || owner == session.model.recipe) return wantNetwork(session, new NetworkSettings(name, null, null, null, null, false))
        }
        if (session.model != null && !exists) return Network.planned(new NetworkSettings(name, null, null, null, null, false))
        new Network(exists || name == NetworkSettings.DEFAULT ? n.get(name) : n.ensure(new NetworkSettings(name, null, null, null, null, false)))
    }

    /** up/plan: records the network the recipe wants; nothing is made. */
    private static Network wantNetwork(Session session, NetworkSettings settings) {
        if (settings.name() == NetworkSettings.DEFAULT) throw new DslException("network('bridge'): the default network cannot be declared; use network bridge in a container")
        try {
            NetworkSettings.checkName(settings.name())
            settings.validate()
        } catch (ContainerException e) {
            throw new DslException("network('${settings.name()}'): ${e.message}".toString(), e.stackTrace)
        }
        session.model.want(Resource.wanted(Resource.Kind.NETWORK, settings.name(), settings))
        Network.planned(settings)
    }

    @Word(value = "Creates a named volume (docker volume create; kept when it exists); in up, one the recipe owns (down removes it only with --volumes). Returns its name.",
            usage = "volume NAME", example = "volume 'data'")
    String volume(String name) {
        Session session = cgroovySession()
        try {
            io.cgroovy.runtime.volume.Volumes.checkName(name)
        } catch (ContainerException e) {
            throw new DslException("volume '${name}': ${e.message}".toString(), e.stackTrace)
        }
        if (session.model != null) {
            boolean exists = session.engine().volumes().exists(name)
            String owner = exists ? Environment.ownerOf(session.engine(), Resource.Kind.VOLUME, name) : null
            if (!exists || owner == session.model.recipe) session.model.want(Resource.wanted(Resource.Kind.VOLUME, name, [volume: name]))
            return name
        }
        session.client().createVolume(name)
        name
    }

    @Word(value = 'The networks of this engine (docker network ls).', usage = 'networks()', example = 'networks()')
    List<Network> networks() { cgroovySession().client().networks().collect { new Network(it) } }

    @Word(value = 'Removes a network; refused while containers are on it (docker network rm).', usage = 'rmNetwork NAME', example = "rmNetwork 'backend'")
    void rmNetwork(String name) { if (locking()) return; cgroovySession().client().removeNetwork(name) }

    @Word(value = "Makes the following words drive a Docker Engine API server (Docker, Podman, cgroovy serve) at a unix socket, tcp://host:port (TLS: tls: [ca:, cert:, key:], a cert dir, or DOCKER_TLS_VERIFY/DOCKER_CERT_PATH as the docker CLI), " +
                  "or over ssh (the remote host runs `docker system dial-stdio`, as docker -H ssh:// does; ssh options from -Dcgroovy.ssh.options or CGROOVY_SSH_OPTIONS); 'local' goes back to the built-in runtime.",
          usage = "engine 'unix:///PATH.sock' | engine 'tcp://HOST:PORT' [, tls: [ca: FILE, cert: FILE, key: FILE] | 'CERTDIR' | true | false] | engine 'ssh://[USER@]HOST[:PORT][/SOCKET]' | engine 'local'",
          example = "engine 'tcp://127.0.0.1:2376', tls: [ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem']")
    String engine(String address) { cgroovySession().useEngine(address) }

    /** engine 'tcp://HOST:PORT', tls: ...: the options of the engine word. */
    String engine(Map options, String address) { cgroovySession().useEngine(address, options ?: [:]) }

    /** The address the words drive now: 'local' or the engine word's. */
    String engine() { cgroovySession().engineAddress() }

    @Word(value = 'Ends the recipe (or the shell) with this exit status.', usage = 'exit N', example = 'exit 3')
    void exit(int status) { throw new ExitRequest(status) }

    void exit() { exit(0) }

    /** A top-level name nobody knows: a closure in the binding is called, anything else is a misspelt word. */
    def methodMissing(String name, Object args) {
        if (binding.hasVariable(name) && binding.getVariable(name) instanceof Closure) {
            return ((Closure) binding.getVariable(name)).call(*(args as Object[]))
        }
        Set<String> known = new LinkedHashSet<>(WORDS)
        String hint = Suggest.didYouMean(name, known)
        if (!hint && name in ContainerSpec.WORDS) hint = " — '${name}' goes inside container(image) { ... }"
        throw new DslException("unknown word '${name}'${hint}")
    }

    /** {@code cgroovy lock} evaluates a recipe only for its images: words that remove or send things do nothing then. */
    private boolean locking() { cgroovySession().model?.lockOnly ?: false }

    /** The session of this run (created from the binding the first time). */
    Session cgroovySession() {
        Binding b = getBinding()
        if (b.hasVariable(Session.VARIABLE)) return (Session) b.getVariable(Session.VARIABLE)
        Session s = b.hasVariable('engine') ? Session.using((Engine) b.getVariable('engine')) : Session.atDefaultRoot()
        b.setVariable(Session.VARIABLE, s)
        s
    }

}

package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.Health
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.fs.Change
import io.cgroovy.runtime.fs.ContainerFiles

import java.nio.file.Path

import java.time.Duration
import java.time.Instant

/**
 * What the user holds after {@code c = container(...) { ... }}: a foreground container that has
 * ended (and was removed), or a detached one that lives on its own (its monitor keeps it); the
 * verbs (stop, logs, pause, ...) work on detached ones, also from another shell that found it
 * with {@code inspect('name')} or {@code ps()}.
 */
@CompileStatic
@WordScope('Container')
final class Container implements GroovyInterceptable {
    @Word("The full container id.")
    final String id
    @Word("The container's name.")
    final String name
    @Word("The image reference it was created from.")
    final String image
    @Word("The validated settings it was created with (null for a container found by inspect or ps).")
    final ContainerSettings settings
    /** True for a detached container (it lives on after the shell). */
    final boolean detached
    private final int foregroundExit
    private final boolean foregroundOom
    private final List<String> foregroundIps

    /** An ended foreground container. */
    Container(ContainerSettings settings, RunResult result) { this(settings, result, settings.image()) }

    /** An ended foreground container; {@code image}: the reference as the user wrote it (the settings may hold the pinned name@digest). */
    Container(ContainerSettings settings, RunResult result, String image) {
        this.settings = settings
        this.image = image
        this.id = result.id()
        this.name = result.name()
        this.foregroundExit = result.exitCode()
        this.foregroundOom = result.oomKilled()
        this.foregroundIps = result.addresses()
        this.detached = false
    }

    /** A detached container of the session's engine (the one the words drive now: it stays this container's engine). */
    Container(Session session, ContainerInfo info, ContainerSettings settings) {
        this.session = session
        this.engineClient = session?.client()
        this.settings = settings
        this.image = info.image()
        this.id = info.id()
        this.name = info.name()
        this.detached = true
        this.foregroundExit = 0
        this.foregroundOom = false
        this.foregroundIps = []
    }

    @Word("Its IPv4 address on its first network (null with network none or host).")
    String getIp() { List<String> l = getIps(); l.isEmpty() ? null : l[0] }

    @Word("Its IPv4 addresses, one per network, in the order it joined them.")
    List<String> getIps() { detached ? (session == null ? [] as List<String> : client().addresses(id)) : foregroundIps }

    /** Connects the running detached container to one more network ({@code docker network connect}); its address there. */
    @Word(value = 'Connects the running container to one more network, with extra names there (docker network connect); gives its address on it.',
          usage = 'c.connect NETWORK [, ALIAS...]', example = "c.connect 'backend', 'db'")
    String connect(Object network, String... aliases) {
        running('connect').connect(id, networkName(network), aliases as List<String>)
    }

    /** Takes the running detached container off a network ({@code docker network disconnect}). */
    @Word(value = 'Takes the running container off a network (docker network disconnect).', usage = 'c.disconnect NETWORK', example = "c.disconnect 'backend'")
    void disconnect(Object network) {
        running('disconnect').disconnect(id, networkName(network))
    }

    private io.cgroovy.runtime.Engine running(String word) {
        if (!detached) throw new DslException("${word}: container ${name} ran in the foreground and has ended; start it with detach() to change its networks")
        if (session == null) throw new DslException("${word}: container ${name}: no engine")
        session.engine()
    }

    private static String networkName(Object network) {
        network instanceof Network ? ((Network) network).name : String.valueOf(network)
    }

    /** The session that ran it (for diff, copy, commit, rm); null in tests that make handles by hand. */
    Session session

    /** The engine a detached container lives on, kept when a later engine word switches the session elsewhere. */
    private io.cgroovy.dsl.client.EngineClient engineClient

    private io.cgroovy.dsl.client.EngineClient client() {
        Session s = live()
        engineClient ?: s.client()
    }

    /** Added, changed and deleted paths against the image ({@code docker diff}). */
    @Word(value = 'Added (A), changed (C) and deleted (D) paths against the image (docker diff); a detached container, or a foreground one run with keep true.', usage = 'c.diff()')
    List<Change> diff() { files().diff(id) }

    /** Copies a host file or directory into the container ({@code docker cp local c:path}). */
    @Word(value = 'Copies a host file or directory into the container (docker cp); a running one is paused meanwhile.', usage = 'c.copyIn LOCAL, PATH', example = "c.copyIn 'site/', '/www'")
    String copyIn(Object local, String path) { files().copyIn(id, Path.of(String.valueOf(local)), path) }

    /** Copies a file or directory of the container to the host ({@code docker cp c:path local}). */
    @Word(value = 'Copies a file or directory of the container to the host (docker cp); a running one is paused meanwhile.', usage = 'c.copyOut PATH, LOCAL', example = "c.copyOut '/etc/hosts', '/tmp'")
    String copyOut(String path, Object local) { files().copyOut(id, path, Path.of(String.valueOf(local))).toString() }

    /** Makes an image of the container's filesystem ({@code docker commit}); a running one is paused meanwhile unless {@code pause: false}. */
    @Word(value = 'Makes an image of the container: its changes as one more layer (docker commit); a running one is paused meanwhile unless pause: false.',
          usage = 'c.commit([pause: false,] TAG [, MESSAGE])', example = "c.commit 'mine:1'")
    Image commit(Map<String, ?> options, String tag = null, String message = null) {
        Set<String> unknown = (options?.keySet() ?: [] as Set<String>) - ['pause']
        if (unknown) throw new DslException("commit: unknown option '${unknown.first()}' (known: pause)")
        Object pause = options?.get('pause')
        if (pause != null && !(pause instanceof Boolean)) throw new DslException("commit: pause: use true or false")
        session?.made(tag)
        if (id == null && session?.model?.lockOnly) return Image.planned(tag)
        Image.of(files().commit(id, tag, message, pause == null ? true : (boolean) pause))
    }

    Image commit(String tag = null, String message = null) { commit([:], tag, message) }

    /**
     * Removes a kept container's filesystem and anonymous volumes ({@code docker rm -v}), or a
     * detached container and all it left ({@code force: true} kills a running one first, docker rm -f).
     */
    @Word(value = 'Removes the container and all it left (docker rm -v); force: true kills a running detached one first (docker rm -f).',
          usage = 'c.rm([force: true])', example = 'c.rm(force: true)')
    void rm(Map<String, ?> options = [:]) {
        if (session == null) throw new DslException("container ${name}: no engine to remove it from")
        if (id == null && session.model?.lockOnly) return // cgroovy lock made nothing
        if (detached) client().remove(id, options?.force as boolean)
        else session.engine().removeContainer(id)
    }

    private ContainerFiles files() {
        if (!detached && !settings?.keep()) throw new DslException("container ${name} was removed when it ended; run it with 'keep true' (or detach()) to diff, copy or commit it")
        if (session == null) throw new DslException("container ${name}: no engine")
        new ContainerFiles(session.engine())
    }

    /** What {@code container(...)} gives in a recipe run by up or plan: the settings, nothing run yet (id null). */
    static Container planned(ContainerSettings settings, String image, Session session) {
        Container c = new Container(settings, new RunResult(null, settings.name(), 0, false), image)
        c.session = session
        c
    }

    /** The first 12 characters of the id, as Docker shows it. */
    @Word('The first 12 characters of the id, as Docker shows it.')
    String getShortId() { id == null ? null : id.length() > 12 ? id.substring(0, 12) : id }

    @Word("Exit status of its command (125-127: it could not start); of the last run for a detached one.")
    int getExitCode() { detached ? info().exitCode() : foregroundExit }

    @Word("True when the kernel's OOM killer ended it.")
    boolean getOomKilled() { detached ? info().oomKilled() : foregroundOom }

    @Word("created, running, paused, restarting or exited (read now).")
    String getStatus() { detached ? info().status() : 'exited' }

    @Word("starting, healthy or unhealthy while a detached container with a healthcheck runs, else '' (docker ps shows it in STATUS).")
    String getHealthStatus() { detached ? info().health() : '' }

    @Word("Its health check's state (docker inspect's State.Health): status, failingStreak and the last 5 results (exitCode, output); null without a check.")
    Health getHealth() { detached ? live().engine().health(id) : null }

    @Word("How often its restart policy restarted it.")
    int getRestartCount() { detached ? info().restartCount() : 0 }

    @Word("Host pid of its first process while it runs, else 0.")
    long getPid() { detached ? info().pid() : 0L }

    /** What the engine knows now. */
    ContainerInfo info() { client().inspect(id) }

    @Word(value = "What the engine knows of it now (docker inspect): status, pid, exit code, restarts, labels, health, ...", usage = 'c.inspect()', example = 'c.inspect().status()')
    ContainerInfo inspect() { info() }

    @Word(value = "One sample of its CPU, memory and pids use (docker stats --no-stream).", usage = 'c.stats()', example = 'c.stats()')
    StatsList stats() { StatsList.sample(live(), [id], false) }

    @Word(value = "Its processes now (docker top): user, pid, ppid, cpu, started, tty, time and cmd of each, as ps -ef shows them.", usage = 'c.top()', example = 'c.top()')
    TopList top() {
        try {
            new TopList(live().engine().top(id))
        } catch (RuntimeException e) {
            throw new DslException("top: ${name}: ${Errors.message(e)}".toString())
        }
    }

    /**
     * Runs one more process in it ({@code docker exec}): one string runs through /bin/sh -c,
     * several arguments are the argv; output goes where the session's containers write. With
     * {@code tty: true} (docker exec -it) the terminal is lent to it, raw, its size passed on;
     * {@code interactive: true} alone (docker exec -i) gives it stdin.
     */
    @Word(value = "Runs a command in the running container (docker exec); one string goes through /bin/sh -c. Options env:, user:, workdir:, tty: true (a terminal, docker exec -it), interactive: true (stdin). Returns its exit status.",
          usage = 'c.exec COMMAND [, env: [K: V], user: U, workdir: DIR, tty: true, interactive: true]', example = "c.exec 'cat /etc/hostname'")
    int exec(Map<String, ?> options, Object... command) {
        Set<String> known = ['env', 'user', 'workdir', 'tty', 'interactive'] as Set<String>
        for (String k : options.keySet()) {
            if (!(k in known)) throw new DslException("exec: unknown option '${k}'${Suggest.didYouMean(k, known)}".toString())
        }
        List<?> args = (command as List).flatten()
        if (args.isEmpty() || args.any { it == null } || String.valueOf(args[0]).trim().isEmpty()) throw new DslException('exec: no command given')
        List<String> argv = args.size() == 1 ? ['/bin/sh', '-c', String.valueOf(args[0])] : args.collect { String.valueOf(it) }
        Map<String, String> env = [:]
        ((Map<?, ?>) (options.env ?: [:])).each { k, v -> env.put(String.valueOf(k), String.valueOf(v)) }
        Session s = live()
        boolean tty = options.tty as boolean
        try {
            io.cgroovy.runtime.ExecSettings settings = new io.cgroovy.runtime.ExecSettings(argv, env, (String) options.user?.toString(), (String) options.workdir?.toString())
            if (tty || options.interactive) return s.execAttached(client(), id, settings, tty)
            client().exec(id, settings, s.stdio)
        } catch (io.cgroovy.runtime.ContainerException | io.cgroovy.dsl.client.EngineException e) {
            throw new DslException("exec in ${name}: ${e.message}".toString())
        }
    }

    int exec(Object... command) { exec([:], command) }

    @Word(value = "Stops it: SIGTERM, then SIGKILL after the timeout in seconds (default 10); returns the exit status.", usage = 'c.stop([SECONDS])', example = 'c.stop(5)')
    int stop(Number seconds = 10) { client().stop(id, Duration.ofMillis((long) (seconds.doubleValue() * 1000))) }

    @Word(value = "Sends a signal to its first process (default KILL), e.g. 'TERM', 'HUP', 9.", usage = 'c.kill([SIGNAL])', example = "c.kill('HUP')")
    void kill(Object signal = 'KILL') { client().kill(id, String.valueOf(signal)) }

    @Word(value = "Waits until it has ended for good (no more restarts); returns its exit status.", usage = 'c.wait()', example = 'c.wait()', name = 'wait')
    int waitForExit() { client().waitFor(id) }

    @Word(value = "Stops it (timeout in seconds, default 10) and starts it again.", usage = 'c.restart([SECONDS])', example = 'c.restart()')
    Container restart(Number seconds = 10) {
        client().restart(id, Duration.ofMillis((long) (seconds.doubleValue() * 1000)))
        this
    }

    @Word(value = "Starts it again after it ended.", usage = 'c.start()', example = 'c.start()')
    Container start() {
        client().start(id)
        this
    }

    @Word(value = "Freezes all its processes (cgroup freezer).", usage = 'c.pause()', example = 'c.pause()')
    void pause() { client().pause(id) }

    @Word(value = "Lets a paused container run again.", usage = 'c.unpause()', example = 'c.unpause()')
    void unpause() { client().unpause(id) }

    @Word(value = "Prints its log (tail: N last lines, follow: true keeps printing until it ends).", usage = 'c.logs([tail: N, follow: true])', example = 'c.logs(tail: 20)')
    void logs(Map<String, ?> options = [:]) { live().logs(id, options) }

    @Word(value = "Connects the terminal to it (raw for a TTY); Ctrl-P Ctrl-Q detaches, it keeps running.", usage = 'c.attach()', example = 'c.attach()')
    void attach() { live().attach(id) }

    @Word("Its namespaces (/proc/PID/ns): type, inode, and whether shared with the host or another container.")
    ViewList getNamespaces() { ContainerViews.namespaces(running(), id) }

    @Word("Its cgroup: path, and limits and live usage of memory, cpu, pids and io (the same on cgroup v1 and v2).")
    View getCgroup() { ContainerViews.cgroup(running(), id) }

    @Word("Its mount table, from its /proc/PID/mountinfo.")
    ViewList getMounts() { ContainerViews.mounts(running(), id) }

    @Word("Its root filesystem: the overlay's image layers (digest, size, the step that made each) and its upper dir.")
    View getLayers() { ContainerViews.layers(running(), id) }

    @Word("Its interfaces, addresses and routes, the host veth and bridge of each, and the NAT rules serving it.")
    View getNetwork() { ContainerViews.network(running(), id) }

    @Word(value = "One screen: what isolates it (namespaces, layers, network) and what limits it (cgroup), as a tree.",
          usage = 'c.explain()', example = 'c.explain()')
    View explain() { ContainerViews.explain(running(), id) }

    /** The engine of a running container: these views read the kernel's files of a live process. */
    private io.cgroovy.runtime.Engine running() {
        io.cgroovy.dsl.client.EngineClient c = client()
        if (!(c instanceof io.cgroovy.dsl.client.LocalClient)) throw Session.builtInOnly(c.address())
        io.cgroovy.runtime.Engine e = ((io.cgroovy.dsl.client.LocalClient) c).engine
        if (!info().isRunning()) throw new DslException("container ${name} is not running (${status})".toString())
        e
    }

    /** {@code c.wait()} is Object.wait() to Groovy: taken here so it means docker wait. */
    @Override
    Object invokeMethod(String method, Object args) {
        Object[] a = args instanceof Object[] ? (Object[]) args : args == null ? new Object[0] : [args] as Object[]
        if (method == 'wait' && a.length == 0) return waitForExit()
        getMetaClass().invokeMethod(this, method, args)
    }

    private Session live() {
        if (!detached) {
            throw new DslException("container ${name ?: shortId} ran in the foreground and was removed when it ended (use detach() to keep a container)".toString())
        }
        session
    }

    @Override
    String toString() {
        if (detached) {
            ContainerInfo i
            try {
                i = info()
            } catch (RuntimeException e) {
                return "container ${name} (${shortId}, ${image}) removed".toString()
            }
            return "container ${name} (${shortId}, ${image}) ${i.statusText(Instant.now())}".toString()
        }
        if (id == null) return "container ${name} (planned, ${image})".toString()
        String end = foregroundOom ? "killed by the OOM killer (exit ${foregroundExit})" : "exited ${foregroundExit}"
        "container ${name ?: shortId} (${shortId}, ${image}) ${end}"
    }
}

package io.cgroovy.runtime;

import io.cgroovy.image.ImageStore;
import io.cgroovy.image.Snapshot;
import io.cgroovy.runtime.cgroup.CgroupMounts;
import io.cgroovy.runtime.cgroup.Cgroups;
import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.net.Endpoint;
import io.cgroovy.runtime.net.Netns;
import io.cgroovy.runtime.net.Networks;
import io.cgroovy.runtime.net.ResolvConf;
import io.cgroovy.runtime.plan.Plan;
import io.cgroovy.runtime.plan.PlanCompiler;
import io.cgroovy.runtime.spec.RootfsView;
import io.cgroovy.runtime.spec.RuntimeSpec;
import io.cgroovy.runtime.spec.SpecBuilder;
import io.cgroovy.runtime.volume.ContainerMounts;
import io.cgroovy.runtime.volume.Volumes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The container engine of one state root: turns settings + an image into an OCI bundle and a
 * launch plan under {@code <root>/containers/<id>/}, runs the plan with the C executor and
 * cleans everything up when the container ends.
 */
public final class Engine implements AutoCloseable {
    /** How long a container gets to end after SIGTERM when the caller is interrupted. */
    static final long STOP_GRACE_MS = 3_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final String cgroupParent;
    private final ImageStore images;
    private final Volumes volumes;
    private volatile Cgroups cgroups;
    private volatile List<CgroupMounts.Mount> hostCgroupMounts;
    private volatile java.util.Map<String, String> hostCgroupLinks;
    private volatile Path executor;
    private volatile Path monitor;
    private final DetachedContainers detached;
    /** Foreground containers of this engine while they run (for exec, stats, top). */
    private final java.util.Map<String, Foreground> foreground = new java.util.concurrent.ConcurrentHashMap<>();

    private record Foreground(String id, String name, Path dir, Process executor, ContainerCgroup cgroup, List<Path> layers, String imageId) {}
    private final Networks networks;

    private Engine(Path root, String cgroupParent, ImageStore images) {
        this.root = root;
        this.cgroupParent = cgroupParent;
        this.images = images;
        this.detached = new DetachedContainers(this);
        this.volumes = new Volumes(root);
        this.networks = new Networks(root);
    }

    /** $CGROOVY_ROOT, or /var/lib/cgroovy. */
    public static Path defaultRoot() {
        String env = System.getenv("CGROOVY_ROOT");
        return env == null || env.isBlank() ? Path.of("/var/lib/cgroovy") : Path.of(env);
    }

    /**
     * Opens the engine of a state root (and the image store at the same root); containers' cgroups
     * go under CGROOVY_CGROUP_PARENT or "cgroovy".
     */
    public static Engine open(Path root) {
        String env = System.getenv(Cgroups.PARENT_ENV);
        return open(root, env == null || env.isBlank() ? Cgroups.DEFAULT_PARENT : env);
    }

    /** Opens the engine of a state root with containers' cgroups under {@code cgroupParent} (tests use their own). */
    public static Engine open(Path root, String cgroupParent) {
        Path r = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(r.resolve("containers"));
        } catch (IOException e) {
            throw new ContainerException("cannot create the state root " + r + ": " + e.getMessage(), e);
        }
        Engine e = new Engine(r, cgroupParent, ImageStore.open(r));
        e.sweepStale();
        return e;
    }

    /** The file in a container directory naming the JVM that runs it: "pid startMillis". */
    static final String OWNER = "owner";
    /** A container directory without an owner file older than this was left by a crash before it was written. */
    static final long UNOWNED_GRACE_MS = 60_000;

    static String ownerRecord() {
        ProcessHandle me = ProcessHandle.current();
        return me.pid() + " " + me.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L) + "\n";
    }

    private static boolean ownerAlive(Path dir) {
        try {
            String[] f = Files.readString(dir.resolve(OWNER)).trim().split(" ");
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            return ProcessHandle.of(pid)
                    .map(h -> h.isAlive() && h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L) == start)
                    .orElse(false);
        } catch (NoSuchFileException e) {
            try {
                long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis();
                return age < UNOWNED_GRACE_MS;
            } catch (IOException again) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Removes what a crashed engine left: container directories whose owning JVM is gone, with
     * their cgroups (which kills what still runs in them). The rootfs overlay needs no unmount:
     * it only ever existed in the container's own mount namespace.
     */
    private void sweepStale() {
        List<Path> stale = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(root.resolve("containers"))) {
            for (Path d : ds) {
                if (d.getFileName().toString().matches("[0-9a-f]{64}") && !DetachedContainers.isDetached(d) && !Files.exists(d.resolve(KEPT)) && !ownerAlive(d)) stale.add(d);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + root.resolve("containers") + ": " + e.getMessage(), e);
        }
        for (Path d : stale) {
            cgroups().open(d.getFileName().toString()).ifPresent(ContainerCgroup::close);
            ContainerMounts.removeAnonymous(volumes, d);
            removeTree(d);
        }
        detached.recover();
        pruneShiftedLayers();
        if (Files.isDirectory(root.resolve("networks")) || Files.isDirectory(root.resolve("netns"))) {
            java.util.Set<String> live = new java.util.HashSet<>();
            try (var ds = Files.newDirectoryStream(root.resolve("containers"))) {
                for (Path d : ds) live.add(d.getFileName().toString());
            } catch (IOException e) {
                throw new ContainerException("cannot read " + root.resolve("containers") + ": " + e.getMessage(), e);
            }
            networks.recover(live); // addresses, veths, netns files and firewall rules of crashed containers
        }
    }

    /** Shifted layer copies (user namespaces) of layers that are gone, unless a container's plan still names them. */
    private void pruneShiftedLayers() {
        if (!Files.isDirectory(root.resolve("userns"))) return;
        StringBuilder plans = new StringBuilder();
        try (var ds = Files.newDirectoryStream(root.resolve("containers"))) {
            for (Path d : ds) {
                if (Files.isRegularFile(d.resolve("plan"))) plans.append(Files.readString(d.resolve("plan"), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            return; // kept for the next start
        }
        io.cgroovy.runtime.fs.ShiftedLayers.prune(root.resolve("userns"), copy -> plans.indexOf(copy.toString()) >= 0);
    }

    /** The networks of this state root. */
    public Networks networks() { return networks; }

    /** The file in a container directory with its name and hostname, for connect/disconnect. */
    static final String MEMBER = "network-member";

    /**
     * Connects a running container (by name or id) to a network, like {@code docker network connect};
     * returns its address there. The container must have been started on a network (its own netns).
     */
    public String connect(String container, String network, List<String> aliases) {
        Networks.Member m = member(container);
        return networks.connect(m, network, aliases == null ? List.of() : aliases).ip();
    }

    /** Disconnects a running container from a network, like {@code docker network disconnect}. */
    public void disconnect(String container, String network) {
        Networks.Member m = member(container);
        networks.disconnect(m.id(), m.name(), network);
    }

    /**
     * Networking of a container about to be made: host mode drops the network namespace; on
     * networks the engine makes the namespace (pinned under {@code <root>/netns/<id>}), puts it
     * on its networks with CNI and points the spec at it for the executor's setns step.
     *
     * @return its addresses, one per network
     */
    List<String> joinNetworks(String id, String name, RuntimeSpec spec, Networking net, Path dir) throws IOException {
        List<String> addresses = new ArrayList<>();
        if (net.mode() == Networking.Mode.HOST) {
            spec.linux.namespaces.removeIf(n -> n.type.equals("network"));
        } else if (net.mode() == Networking.Mode.NETWORKS) {
            Path netns = networks.netnsFile(id);
            Netns.create(netns);
            for (RuntimeSpec.Namespace n : spec.linux.namespaces) if (n.type.equals("network")) n.path = netns.toString();
            Files.writeString(dir.resolve(MEMBER), name + "\n" + spec.hostname + "\n");
            if (spec.linux.uidMappings != null) {
                // the namespace belongs to the host, not to the container's user namespace: as Docker does (20.10+),
                // let any uid bind low ports and send ICMP echo, so that a web server or ping works in it
                if (spec.linux.sysctl == null) spec.linux.sysctl = new java.util.TreeMap<>();
                spec.linux.sysctl.putIfAbsent("net.ipv4.ip_unprivileged_port_start", "0");
                spec.linux.sysctl.putIfAbsent("net.ipv4.ping_group_range", "0 2147483647");
            }
            for (Endpoint e : networks.attach(new Networks.Member(id, name, spec.hostname), net)) addresses.add(e.ip());
        }
        return addresses;
    }

    /** Takes a container off its networks (addresses, ports, veths released) and removes its namespace. */
    void leaveNetworks(String id) {
        Path netns = networks.netnsFile(id);
        if (!Files.exists(netns) && !Files.isDirectory(root.resolve("networks"))) return;
        RuntimeException failure = null;
        try {
            networks.detachAll(id);
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            Netns.remove(netns);
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }

    /** A container's addresses, one per network it is on (empty for network none or host). */
    public List<String> addresses(String containerId) {
        return networks.endpointsOf(containerId).stream().map(Endpoint::ip).toList();
    }

    private Networks.Member member(String container) {
        try (var ds = Files.newDirectoryStream(root.resolve("containers"))) {
            for (Path d : ds) {
                Path f = d.resolve(MEMBER);
                if (!Files.exists(f)) continue;
                String[] l = Files.readString(f).split("\n");
                String id = d.getFileName().toString();
                if (l[0].equals(container) || (container.length() >= 12 && id.startsWith(container))) {
                    return new Networks.Member(id, l[0], l.length > 1 ? l[1] : l[0]);
                }
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + root.resolve("containers") + ": " + e.getMessage(), e);
        }
        throw new ContainerException("no such running container on a network: " + container);
    }

    public Path root() { return root; }

    /** The image store at the same state root. */
    public ImageStore images() { return images; }

    /** The volumes at the same state root. */
    public Volumes volumes() { return volumes; }

    /**
     * Runs a container in the foreground: resolves the image in the store ("no such image: X" when
     * it is not there), then as {@link #run(Snapshot, ContainerSettings, Stdio)}.
     */
    public RunResult run(ContainerSettings settings, Stdio stdio) {
        SpecBuilder.validate(settings.resources());
        return run(images.snapshot(settings.image()), settings, stdio);
    }

    /** The cgroup hierarchy containers are put in (detected on first use). */
    public Cgroups cgroups() {
        if (cgroups == null) {
            synchronized (this) {
                if (cgroups == null) {
                    hostCgroupMounts = CgroupMounts.read().mounts();
                    hostCgroupLinks = PlanCompiler.readHostCgroupLinks();
                    cgroups = Cgroups.detect(cgroupParent);
                }
            }
        }
        return cgroups;
    }

    /** The overlay parts of a container's root; with a user namespace, layers its root owns (idmapped or shifted copies). */
    PlanCompiler.Rootfs rootfs(ContainerSettings settings, RuntimeSpec spec, Path dir, Path rootfs, List<Path> layers, Path upper, Path work) {
        Security.UserNamespace u = settings.security().userns();
        if (u == null) return new PlanCompiler.Rootfs(rootfs, layers, upper, work);
        return UsernsRootfs.prepare(root, executor(), u, spec, dir, rootfs, layers, upper, work);
    }

    /** The executor binary installed under the state root. */
    public Path executor() {
        if (executor == null) {
            synchronized (this) {
                if (executor == null) executor = ExecutorBinary.install(root);
            }
        }
        return executor;
    }

    /** The monitor binary of detached containers, installed under the state root. */
    Path monitor() {
        if (monitor == null) {
            synchronized (this) {
                if (monitor == null) monitor = ExecutorBinary.installMonitor(root);
            }
        }
        return monitor;
    }

    List<CgroupMounts.Mount> hostCgroupMounts() {
        cgroups();
        return hostCgroupMounts;
    }

    java.util.Map<String, String> hostCgroupLinks() {
        cgroups();
        return hostCgroupLinks;
    }

    // ---- detached containers (docker run -d and the verbs on them) ----------------------------

    /**
     * Starts a detached container (docker run -d): its monitor holds its stdio, writes its log and
     * outlives this JVM. Returns once it runs; a launch failure throws and leaves nothing behind.
     */
    public ContainerInfo runDetached(ContainerSettings settings, DetachOptions options) {
        SpecBuilder.validate(settings.resources());
        return runDetached(images.snapshot(settings.image()), settings, options);
    }

    /** As {@link #runDetached(ContainerSettings, DetachOptions)} with an already resolved image. */
    public ContainerInfo runDetached(Snapshot image, ContainerSettings settings, DetachOptions options) {
        return detached.run(image, settings, options == null ? DetachOptions.DEFAULT : options);
    }

    /**
     * docker run -it (without -d): the container runs under its monitor with a terminal or open
     * stdin and the caller's streams attached from its first byte; when it ends it is removed and
     * its result returned. Empty when the caller detached (Ctrl-P Ctrl-Q): it runs on, detached.
     * {@code onStart} gets the id once it is about to start (to pass the terminal size on).
     * An interrupt stops it (SIGTERM, SIGKILL after a grace period).
     */
    public java.util.Optional<RunResult> runAttached(ContainerSettings settings, DetachOptions options, InputStream in,
                                                     OutputStream out, OutputStream err, java.util.function.Consumer<String> onStart) {
        SpecBuilder.validate(settings.resources());
        ContainerInfo info = detached.run(images.snapshot(settings.image()), settings, options, true);
        String id = info.id();
        boolean keep = false;
        boolean interrupted = false;
        try {
            if (onStart != null) onStart.accept(id);
            boolean userDetached;
            try {
                userDetached = Attach.run(detached.socket(id), options.tty(), in, out, err);
            } catch (java.nio.channels.ClosedByInterruptException e) {
                userDetached = false;
            } catch (IOException e) {
                throw new ContainerException("attach " + info.name() + ": " + e.getMessage(), e);
            }
            if (userDetached) {
                keep = true;
                return java.util.Optional.empty();
            }
            // interrupted (Ctrl-C, the JVM shutting down): Attach.run ends when its channel closes on the
            // interrupt; the container is stopped then (waitFor would wait for it forever). The flag is
            // given back only at the end: file locks taken until then would fail on it.
            interrupted = Thread.interrupted();
            if (interrupted) detached.stop(id, java.time.Duration.ofMillis(STOP_GRACE_MS));
            int code = detached.waitFor(id);
            ContainerInfo end = detached.info(id);
            if (end.startedAt() == null && !end.error().isBlank()) throw new ContainerException(detached.startFailure(id));
            return java.util.Optional.of(new RunResult(id, info.name(), code, end.oomKilled()));
        } finally {
            try {
                if (!keep) detached.remove(id, true);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    /** docker create: a detached container made but not started (status "created"); {@link #start} runs it. */
    public ContainerInfo create(ContainerSettings settings, DetachOptions options) {
        SpecBuilder.validate(settings.resources());
        return detached.create(images.snapshot(settings.image()), settings, options == null ? DetachOptions.DEFAULT : options);
    }

    /** docker ps: the running containers, or with {@code all} every detached container; newest first. */
    public List<ContainerInfo> ps(boolean all) { return detached.list(all); }

    /** The container named {@code ref} or whose id starts with it ("no such container: x" otherwise). */
    public ContainerInfo inspect(String ref) { return detached.info(detached.resolve(ref)); }

    /** The health of a detached container with a health check (docker inspect's State.Health), or null without one. */
    public Health health(String ref) { return detached.health(ref); }

    /** docker start of a created or exited container. */
    public ContainerInfo start(String ref) { return detached.start(ref); }

    /**
     * docker start of a container a client is about to {@link #attach} to (docker run -it through the
     * API, where attach and start are separate requests): its monitor starts it once that attach is
     * there (or after 60 s), so the first bytes it shows are not lost. Its status stays "created" until then.
     */
    public ContainerInfo startForAttach(String ref) { return detached.start(ref, true); }

    /** docker stop: SIGTERM, SIGKILL after {@code timeout}; the restart policy does not restart it. Returns the exit status. */
    public int stop(String ref, java.time.Duration timeout) { return detached.stop(ref, timeout); }

    /** docker kill: sends {@code signal} ("TERM", "SIGKILL", "9"; null is KILL) to the container's first process. */
    public void kill(String ref, String signal) { detached.kill(ref, signal); }

    /** docker wait: blocks until the container has ended for good; returns its exit status. */
    public int waitFor(String ref) { return detached.waitFor(ref); }

    /** docker restart. */
    public ContainerInfo restart(String ref, java.time.Duration timeout) { return detached.restart(ref, timeout); }

    /** docker rm [--force]: removes the container and everything it left (cgroup, directory, socket). */
    public void remove(String ref, boolean force) { detached.remove(ref, force); }

    /** docker pause: freezes the container's processes (freezer v1, cgroup.freeze v2). */
    public void pause(String ref) { detached.pause(ref); }

    /** docker unpause. */
    public void unpause(String ref) { detached.unpause(ref); }

    /**
     * docker logs: the last {@code tail} lines (all when negative) to {@code out}/{@code err}; with
     * {@code follow} also what comes until the container has ended (or the thread is interrupted).
     */
    public void logs(String ref, int tail, boolean follow, OutputStream out, OutputStream err) {
        String id = detached.resolve(ref);
        try {
            ContainerLogs.copy(detached.logFile(id), tail, follow, () -> detached.monitorAlive(id), out, err);
        } catch (IOException e) {
            throw new ContainerException("logs of " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * docker attach: the container's output to {@code out}/{@code err} (a TTY's all to {@code out}),
     * {@code in} to its stdin or terminal, until it ends (false) or Ctrl-P Ctrl-Q detaches (true).
     */
    public boolean attach(String ref, InputStream in, OutputStream out, OutputStream err) {
        return attach(ref, false, in, out, err);
    }

    /** As above; with {@code stdinOnce} (docker's StdinOnce) the end of {@code in} closes the container's stdin. */
    public boolean attach(String ref, boolean stdinOnce, InputStream in, OutputStream out, OutputStream err) {
        String id = detached.resolve(ref);
        ContainerInfo info = detached.info(id);
        boolean waiting = info.status().equals("created") && detached.monitorAlive(id); // started by startForAttach
        if (!info.isRunning() && !waiting) throw new ContainerException("cannot attach to container " + info.name() + ": it is " + info.status());
        try {
            return Attach.run(detached.socket(id), info.tty(), stdinOnce, in, out, err);
        } catch (IOException e) {
            throw new ContainerException("attach " + info.name() + ": " + e.getMessage(), e);
        }
    }

    /** Sets the window size of a container's terminal (the attached caller's changed). */
    public void resize(String ref, int rows, int cols) {
        String id = detached.resolve(ref);
        String answer = MonitorSocket.command(detached.socket(id), "resize " + rows + " " + cols);
        if (!answer.equals("ok")) throw new ContainerException("resize " + ref + ": " + answer.replaceFirst("^error ", ""));
    }

    /**
     * Runs a container of an already resolved image in the foreground: create, start, wait, clean up
     * (like {@code docker run --rm}). Launch failures throw a ContainerException naming the step.
     * An interrupt of the calling thread stops the container (SIGTERM, then SIGKILL after a grace
     * period); the result then carries its exit status and the thread's interrupt flag is kept.
     */
    public RunResult run(Snapshot image, ContainerSettings settings, Stdio stdio) {
        SpecBuilder.validate(settings.resources());
        String id = newId();
        String name = settings.name() != null && !settings.name().isBlank() ? checkName(settings.name()) : id.substring(0, 12);
        Path dir = root.resolve("containers").resolve(id);
        ContainerCgroup cgroup = null;
        Path netns = null;
        ExecutorRun executorRun = null;
        Throwable failure = null;
        io.cgroovy.runtime.trace.Trace.Run trace = io.cgroovy.runtime.trace.Trace.startRun(name);
        long mark = System.nanoTime();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // env in config.json may hold secrets
            Files.writeString(dir.resolve(OWNER), ownerRecord());
            Path upper = Files.createDirectory(dir.resolve("upper"));
            Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path work = Files.createDirectory(dir.resolve("work"));
            Path rootfs = Files.createDirectory(dir.resolve("rootfs"));

            RuntimeSpec spec = SpecBuilder.build(id, image, settings, new RootfsView(image.layers()));
            etcFiles(spec, dir);
            spec.mounts.addAll(ContainerMounts.resolve(volumes, settings.mounts(), image.config(), image.layers(), dir));
            if (settings.network().mode() == Networking.Mode.NETWORKS) netns = networks.netnsFile(id);
            if (trace != null) { trace.phase("bundle: container dir, config.json, /etc files, volumes", mark); mark = System.nanoTime(); }
            List<String> addresses = joinNetworks(id, name, spec, settings.network(), dir);
            spec.write(dir.resolve("config.json"));
            if (trace != null) { trace.phase("networks: netns, bridge + veth over rtnetlink, firewall", mark); mark = System.nanoTime(); }
            Cgroups cg = cgroups();
            cgroup = cg.create(id, settings.resources());
            cgroup.restrictDevices(SpecBuilder.deviceRules(spec));
            if (trace != null) { trace.phase("cgroup: create and write the limits", mark); mark = System.nanoTime(); }
            Path v2 = cgroup.v2Dir().orElse(null);
            Plan plan = PlanCompiler.compile(spec, rootfs(settings, spec, dir, rootfs, image.layers(), upper, work),
                    v2 != null ? List.of() : cgroup.joinDirs(), v2, hostCgroupMounts, hostCgroupLinks);
            Path planFile = dir.resolve("plan");
            plan.write(planFile);
            Path status = dir.resolve("status");
            Path traceFile = dir.resolve("trace");
            if (trace != null) { trace.phase("plan: compile the launch plan (" + plan.steps().size() + " steps)", mark); mark = System.nanoTime(); }

            executorRun = ExecutorRun.start(executor(), planFile, status, stdio, trace != null ? traceFile : null, id);
            foreground.put(id, new Foreground(id, name, dir, executorRun.process(), cgroup, image.layers(), image.imageId()));
            int code = executorRun.waitFor();
            if (trace != null) traceExecutor(trace, traceFile, plan, mark);
            code = executorRun.result(code, plan, "");
            RunResult result = new RunResult(id, name, code, cgroup.oomKilled(), addresses);
            if (settings.keep()) {
                List<String> dests = new ArrayList<>();
                for (RuntimeSpec.Mount m : spec.mounts) dests.add(m.destination);
                KeptFilesystems.keep(dir, new KeptContainer(id, name, image.imageId(), image.reference(), settings.command(),
                        settings.env(), settings.workdir(), settings.user(), dests, code, settings.entrypoint()));
            }
            return result;
        } catch (IOException e) {
            failure = new ContainerException("container " + name + ": " + e.getMessage(), e);
            throw (ContainerException) failure;
        } catch (UncheckedIOException e) {
            failure = new ContainerException("container " + name + ": " + e.getMessage(), e);
            throw (ContainerException) failure;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            foreground.remove(id);
            if (executorRun != null) executorRun.close();
            RuntimeException cleanup = null;
            long cleanMark = System.nanoTime();
            try {
                if (cgroup != null) cgroup.close();
            } catch (RuntimeException e) {
                cleanup = e;
            }
            if (trace != null) { trace.phase("cleanup: close the cgroup", cleanMark); cleanMark = System.nanoTime(); }
            if (netns != null) {
                try {
                    leaveNetworks(id);
                } catch (RuntimeException e) {
                    cleanup = e;
                }
                if (trace != null) { trace.phase("cleanup: leave the networks, unpin the netns", cleanMark); cleanMark = System.nanoTime(); }
            }
            try {
                if (!Files.exists(dir.resolve(KEPT))) {
                    ContainerMounts.removeAnonymous(volumes, dir);
                    removeTree(dir);
                }
            } catch (RuntimeException e) {
                if (cleanup == null) cleanup = e;
                else cleanup.addSuppressed(e);
            }
            if (trace != null) trace.phase("cleanup: remove the container directory", cleanMark);
            if (executorRun != null && executorRun.interrupted()) Thread.currentThread().interrupt();
            if (trace != null) trace.end();
            if (cleanup != null) {
                if (failure != null) failure.addSuppressed(cleanup);
                else throw cleanup;
            }
        }
    }

    /**
     * The executor's steps from its trace file, between two engine phases: starting it (fork, exec, its sealed
     * re-exec) before its first mark, and the container's own run from execve to its exit after the last.
     */
    private static void traceExecutor(io.cgroovy.runtime.trace.Trace.Run trace, Path traceFile, Plan plan, long launched) {
        traceExecutor(trace, traceFile, plan, launched, "container: its command ran, until it exited");
    }

    /** As above; {@code after} names what followed the execve until now. */
    static void traceExecutor(io.cgroovy.runtime.trace.Trace.Run trace, Path traceFile, Plan plan, long launched, String after) {
        int before = trace.steps().size();
        trace.addExecutorSteps(traceFile, plan);
        List<io.cgroovy.runtime.trace.Trace.Step> added = trace.steps().subList(before, trace.steps().size());
        if (added.isEmpty()) {
            trace.phase("executor: the whole launch (it left no trace)", launched);
            return;
        }
        long first = added.get(0).startNanos();
        io.cgroovy.runtime.trace.Trace.Step last = added.get(added.size() - 1);
        long end = last.startNanos() + last.nanos();
        List<io.cgroovy.runtime.trace.Trace.Step> all = new ArrayList<>(trace.steps().subList(0, before));
        all.add(new io.cgroovy.runtime.trace.Trace.Step("executor: fork+exec, re-exec from a sealed copy, read the plan", "engine",
                launched, first - launched));
        all.addAll(added);
        all.add(new io.cgroovy.runtime.trace.Trace.Step(after, "engine", end, System.nanoTime() - end));
        trace.replaceSteps(all);
    }

    /**
     * Runs one more process in a running container ({@code docker exec}): same namespaces, cgroup,
     * capabilities, seccomp filter and rlimits as its first process; its own stdio; returns its exit
     * status. {@code container} is an id, a unique id prefix or a name.
     */
    public int exec(String container, ExecSettings settings, Stdio stdio) {
        return exec(container, settings, stdio, null);
    }

    /**
     * As above; with a {@code terminal} ({@code docker exec -t}) the process runs on a pseudo-terminal
     * opened in the container: {@code stdio}'s in is typed into it, everything it shows goes to
     * {@code stdio}'s out (err stays unused); {@link ExecTerminal#resize} works while it runs.
     */
    public int exec(String container, ExecSettings settings, Stdio stdio, ExecTerminal terminal) {
        Exec.Target t = target(container);
        return Exec.run(this, t, settings, stdio, terminal);
    }

    /** The cgroup of a running container (for stats and top). */
    public ContainerCgroup cgroupOf(String container) {
        return target(container).cgroup();
    }

    /** The processes of a running container (docker top): the pids of its cgroup, as ps -ef shows them. */
    public List<io.cgroovy.runtime.inspect.Processes.Process> top(String container) {
        return io.cgroovy.runtime.inspect.Processes.of(cgroupOf(container).pids());
    }

    /** A running container (foreground or detached) for the views of {@link io.cgroovy.runtime.inspect}. */
    public io.cgroovy.runtime.inspect.Running running(String container) {
        Exec.Target t = target(container);
        return new io.cgroovy.runtime.inspect.Running(t.id(), t.name(), t.dir(), t.initPid(), t.cgroup(), t.layers());
    }

    /** The host pid of a running container's first process. */
    public long initPid(String container) {
        return target(container).initPid();
    }

    private Exec.Target target(String container) {
        if (container == null || container.isBlank()) throw new ContainerException("no container given");
        List<Foreground> hits = new ArrayList<>();
        for (Foreground f : foreground.values()) {
            if (f.id().equals(container) || f.name().equals(container)) { hits.clear(); hits.add(f); break; }
            if (container.length() >= 3 && f.id().startsWith(container)) hits.add(f);
        }
        if (hits.isEmpty()) return detachedTarget(container);
        if (hits.size() > 1) throw new ContainerException("container id prefix '" + container + "' is ambiguous");
        Foreground f = hits.get(0);
        long pid = -1;
        // the container's first process is the executor's child; it may be a moment before it exists
        for (int i = 0; i < 200 && pid < 0 && f.executor().isAlive(); i++) {
            pid = f.executor().toHandle().children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
            if (pid < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (pid < 0) throw new ContainerException("container " + f.name() + " is not running");
        return new Exec.Target(f.id(), f.name(), f.dir(), pid, f.cgroup(), f.layers());
    }

    /** A detached container (its monitor holds it) as an exec target. */
    private Exec.Target detachedTarget(String container) {
        String id;
        try {
            id = detached.resolve(container);
        } catch (ContainerException e) {
            throw new ContainerException("no running container '" + container + "'");
        }
        ContainerInfo info = detached.info(id);
        if (info.status().equals("paused")) throw new ContainerException("container " + info.name() + " is paused, unpause it first");
        if (!info.status().equals("running") || info.pid() <= 0) throw new ContainerException("container " + info.name() + " is not running");
        ContainerCgroup cg = cgroups().open(id).orElseThrow(() -> new ContainerException("container " + info.name() + " has no cgroup"));
        List<Path> layers;
        try {
            layers = images.snapshot(info.image()).layers();
        } catch (RuntimeException e) {
            layers = List.of(); // image removed since: numeric users only
        }
        return new Exec.Target(id, info.name(), root.resolve("containers").resolve(id), info.pid(), cg, layers);
    }

    /**
     * Writes an OCI bundle for a container of {@code image} into {@code dir}: {@code config.json}
     * and the empty dirs {@code rootfs/}, {@code upper/}, {@code work/}. Mounting the overlay of the
     * image's layers on {@code rootfs/} is left to the caller (e.g. to run the bundle with crun or runc).
     */
    public RuntimeSpec writeBundle(Snapshot image, ContainerSettings settings, Path dir) {
        SpecBuilder.validate(settings.resources());
        try {
            Files.createDirectories(dir.resolve("rootfs"));
            Files.createDirectories(dir.resolve("upper"));
            Files.createDirectories(dir.resolve("work"));
        } catch (IOException e) {
            throw new ContainerException("cannot create bundle " + dir + ": " + e.getMessage(), e);
        }
        RuntimeSpec spec = SpecBuilder.build(newId(), image, settings, new RootfsView(image.layers()));
        etcFiles(spec, dir.toAbsolutePath());
        spec.write(dir.resolve("config.json"));
        return spec;
    }

    /**
     * /etc/hostname and /etc/hosts of the container, as Docker gives them: files in the container
     * directory bind-mounted over the image's.
     */
    static void etcFiles(RuntimeSpec spec, Path dir) {
        try {
            Path hostname = dir.resolve("hostname");
            Path hosts = dir.resolve("hosts");
            Path resolv = dir.resolve("resolv.conf");
            Files.writeString(hostname, spec.hostname + "\n");
            Files.writeString(hosts, Networks.HOSTS_HEAD + "127.0.1.1\t" + spec.hostname + "\n");
            Files.writeString(resolv, ResolvConf.forContainer());
            for (Path f : List.of(hostname, hosts, resolv)) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
                spec.mounts.add(new RuntimeSpec.Mount("/etc/" + f.getFileName(), "bind", f.toString(), List.of("rbind", "rprivate")));
            }
        } catch (IOException e) {
            throw new ContainerException("cannot write /etc files for the container in " + dir + ": " + e.getMessage(), e);
        }
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String checkName(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new ContainerException("invalid container name '" + name + "' (letters, digits, '_', '.', '-')");
        }
        return name;
    }

    /** The record of a kept container: {@code containers/<id>/kept.json} beside {@code upper/}. */
    static final String KEPT = KeptFilesystems.RECORD;

    /** A kept container by id, id prefix (4+ hex) or name; "no such container: X" otherwise. */
    public KeptContainer kept(String idOrName) {
        return KeptFilesystems.find(root.resolve("containers"), idOrName);
    }

    /** The upper (writable) directory of a kept container: its changes to the image, overlay whiteouts in kernel form. */
    public Path upperDir(KeptContainer c) {
        return root.resolve("containers").resolve(c.id()).resolve("upper");
    }

    /**
     * Holds the filesystem of a container for diff, cp or commit: a detached container (created,
     * running, paused or exited; found by name or id prefix, also one another JVM made) or a kept
     * foreground one. A running one is frozen until the handle is closed when {@code freeze}.
     */
    public ContainerFilesystem openFilesystem(String ref, boolean freeze) {
        String id;
        try {
            id = detached.resolve(ref);
        } catch (ContainerException e) {
            KeptContainer k = kept(ref); // "no such container: X" when neither
            return new ContainerFilesystem(k, upperDir(k), null, null, null);
        }
        return detached.openFilesystem(id, freeze);
    }

    /**
     * The ids of the images containers of this root were made from: detached ones (in any
     * state), kept ones and foreground ones running now. Pruning leaves these images alone.
     */
    public java.util.Set<String> imagesInUse() {
        java.util.Set<String> out = new java.util.HashSet<>(detached.imageIds());
        for (KeptContainer k : keptContainers()) out.add(k.imageId());
        for (Foreground f : foreground.values()) out.add(f.imageId());
        return out;
    }

    /** Kept containers, oldest first. */
    public List<KeptContainer> keptContainers() {
        return KeptFilesystems.all(root.resolve("containers"));
    }

    /** Removes a kept container: its filesystem and anonymous volumes (docker rm -v). */
    public void removeContainer(String idOrName) {
        KeptContainer c = kept(idOrName);
        Path dir = root.resolve("containers").resolve(c.id());
        ContainerMounts.removeAnonymous(volumes, dir);
        removeTree(dir);
    }

    /** {@link #removeTree} for other packages of the engine (never crosses into another filesystem). */
    public static void removeTreeOnOneFs(Path dir) {
        removeTree(dir);
    }

    /**
     * Removes a container directory. Never crosses into another filesystem (a mount that should
     * not be there is left alone and reported, instead of deleting what it shows).
     */
    static void removeTree(Path dir) {
        // an exec finishing at the same moment removes its own work dir inside: files may vanish
        // under the walk, and (rarely) appear, so a directory not empty yet gets another pass
        for (int pass = 1; ; pass++) {
            try {
                removeTreeOnce(dir);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                if (pass == 3) throw new ContainerException("cannot remove " + dir + ": " + e.getFile() + " keeps filling", e);
            }
        }
    }

    private static void removeTreeOnce(Path dir) throws java.nio.file.DirectoryNotEmptyException {
        if (!Files.exists(dir)) return;
        try {
            Object dev = Files.getAttribute(dir, "unix:dev");
            List<Path> skipped = new ArrayList<>();
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    Object here;
                    try {
                        here = Files.getAttribute(d, "unix:dev");
                    } catch (java.nio.file.NoSuchFileException gone) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!here.equals(dev)) {
                        skipped.add(d);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                    if (e instanceof java.nio.file.NoSuchFileException) return FileVisitResult.CONTINUE;
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof java.nio.file.NoSuchFileException)) throw e;
                    if (skipped.stream().noneMatch(s -> s.startsWith(d))) Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
            if (!skipped.isEmpty()) throw new ContainerException("cannot remove " + dir + ": " + skipped.get(0) + " is a mount point");
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            throw e;
        } catch (IOException e) {
            throw new ContainerException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // nothing held open yet: foreground containers are cleaned up by run()
    }
}

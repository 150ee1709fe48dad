package io.cgroovy.runtime;

import io.cgroovy.image.Snapshot;
import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.plan.Plan;
import io.cgroovy.runtime.plan.PlanCompiler;
import io.cgroovy.runtime.spec.RootfsView;
import io.cgroovy.runtime.spec.RuntimeSpec;
import io.cgroovy.runtime.spec.SpecBuilder;
import io.cgroovy.runtime.trace.Trace;
import io.cgroovy.runtime.volume.ContainerMounts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Detached containers of one engine: created under {@code <root>/containers/<id>/} with a
 * {@code container.json} record, run by a {@code cgroovy-monitor} process each (which outlives the
 * JVM), and found again by any later engine on the same root by name or id prefix.
 * Every change of a container happens under its directory's {@code lock} file.
 */
final class DetachedContainers {
    static final String LOCK = "lock";
    static final String MONITOR_LOCK = "monitor.lock";
    /** How long the engine waits for a monitor to report the first start. */
    static final long START_TIMEOUT_MS = 120_000;
    /** After SIGKILL, how long a monitor gets to reap the container and exit. */
    static final long KILL_WAIT_MS = 30_000;

    private final Engine engine;
    private final Path root;

    DetachedContainers(Engine engine) {
        this.engine = engine;
        this.root = engine.root();
    }

    private Path containers() { return root.resolve("containers"); }

    private Path dir(String id) { return containers().resolve(id); }

    /** A directory that holds a detached container (its record written, its creating engine done with it). */
    static boolean isDetached(Path dir) {
        return Files.exists(dir.resolve(ContainerRecord.FILE)) && !Files.exists(dir.resolve(Engine.OWNER));
    }

    /** Where the monitor listens: short, because a unix socket path has at most 107 bytes. */
    Path socket(String id) { return root.resolve("sock").resolve(id.substring(0, 16)); }

    static String logName(String id) { return id + "-json.log"; }

    // ---- create and start -----------------------------------------------------------------

    ContainerInfo run(Snapshot image, ContainerSettings settings, DetachOptions options) {
        return run(image, settings, options, false);
    }

    /** docker create: the container's directory, bundle and plan, status "created"; {@link #start} runs it. */
    ContainerInfo create(Snapshot image, ContainerSettings settings, DetachOptions options) {
        return make(image, settings, options, false, false);
    }

    /**
     * Creates and starts a container; with {@code waitAttach} the monitor starts it only once a
     * client has attached (docker run -it), and a failed start is then read from its state.
     */
    ContainerInfo run(Snapshot image, ContainerSettings settings, DetachOptions options, boolean waitAttach) {
        return make(image, settings, options, true, waitAttach);
    }

    private ContainerInfo make(Snapshot image, ContainerSettings settings, DetachOptions options, boolean start, boolean waitAttach) {
        SpecBuilder.validate(settings.resources());
        String id = Engine.newId();
        String name = settings.name() != null && !settings.name().isBlank() ? Engine.checkName(settings.name()) : id.substring(0, 12);
        Path dir = dir(id);
        Path sock = socket(id);
        if (sock.toString().getBytes().length > 107) {
            throw new ContainerException("the state root " + root + " is too long for a monitor socket path (" + sock + ", at most 107 bytes)");
        }
        ContainerCgroup cgroup = null;
        boolean started = false;
        // trace { }: the engine's phases and the executor's steps of the first launch, as for a foreground run
        Trace.Run trace = start ? Trace.startRun(name) : null;
        long mark = System.nanoTime();
        try {
            Plan plan;
            try (FileLock names = FileLock.acquire(root.resolve("containers.lock"))) {
                if (findByName(name).isPresent()) {
                    throw new ContainerException("the container name '" + name + "' is already in use (remove that container or choose another name)");
                }
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // env in config.json may hold secrets
                Files.writeString(dir.resolve(Engine.OWNER), Engine.ownerRecord());
                Path upper = Files.createDirectory(dir.resolve("upper"));
                Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path work = Files.createDirectory(dir.resolve("work"));
                Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
                RuntimeSpec spec = SpecBuilder.build(id, image, settings, new RootfsView(image.layers()));
                spec.process.terminal = options.tty();
                Engine.etcFiles(spec, dir);
                spec.mounts.addAll(io.cgroovy.runtime.volume.ContainerMounts.resolve(engine.volumes(), settings.mounts(), image.config(), image.layers(), dir));
                if (trace != null) { trace.phase("bundle: container dir, config.json, /etc files, volumes", mark); mark = System.nanoTime(); }
                engine.joinNetworks(id, name, spec, settings.network(), dir);
                spec.write(dir.resolve("config.json"));
                if (trace != null) { trace.phase("networks: netns, bridge + veth over rtnetlink, firewall", mark); mark = System.nanoTime(); }
                cgroup = engine.cgroups().create(id, settings.resources());
                cgroup.restrictDevices(SpecBuilder.deviceRules(spec));
                if (trace != null) { trace.phase("cgroup: create and write the limits", mark); mark = System.nanoTime(); }
                Path v2 = cgroup.v2Dir().orElse(null);
                plan = PlanCompiler.compile(spec, engine.rootfs(settings, spec, dir, rootfs, image.layers(), upper, work),
                        v2 != null ? List.of() : cgroup.joinDirs(), v2, engine.hostCgroupMounts(), engine.hostCgroupLinks());
                plan.write(dir.resolve("plan"));
                // what each step does, so that any later engine can say which step failed
                Files.write(dir.resolve("plan.steps"), plan.steps().stream().map(st -> st.description().replace('\n', ' ')).toList());
                ContainerRecord.Config c = new ContainerRecord.Config();
                c.id = id;
                c.name = name;
                c.image = settings.image();
                c.command = spec.process.args;
                c.created = Instant.now().toString();
                c.tty = options.tty();
                c.interactive = options.interactive();
                c.restart = options.restart().toString();
                c.resources = settings.resources();
                c.labels = settings.labels();
                c.imageId = image.imageId();
                c.cmd = settings.command();
                c.entrypoint = settings.entrypoint();
                c.env = settings.env();
                c.workdir = settings.workdir();
                c.user = settings.user();
                c.health = healthPlan(dir, spec, image, options.healthcheck(), cgroup, v2);
                ContainerRecord.write(dir, ContainerRecord.FILE, c);
                ContainerRecord.write(dir, ContainerRecord.STATE, new ContainerRecord.State());
            }
            if (start) {
                if (trace != null) { trace.phase("plan: compile the launch plan (" + plan.steps().size() + " steps), records", mark); mark = System.nanoTime(); }
                startMonitor(id, cgroup, plan, waitAttach, trace == null ? null : dir.resolve("trace"));
                if (trace != null) {
                    Engine.traceExecutor(trace, dir.resolve("trace"), plan, mark, "monitor: saw the execve, wrote the state, reported the start");
                    Files.deleteIfExists(dir.resolve("trace"));
                }
            } else {
                cgroup.close();      // start makes it again: a created container holds no kernel state
                cgroup = null;
            }
            Files.delete(dir.resolve(Engine.OWNER)); // from now on the container lives on its own
            started = true;
            return info(id);
        } catch (IOException e) {
            throw new ContainerException("container " + name + ": " + e.getMessage(), e);
        } finally {
            if (trace != null) trace.end();
            if (!started) {
                // nothing half-made stays: the monitor (if any) has gone, its cgroup and directory go too
                try {
                    if (cgroup != null) cgroup.close();
                } finally {
                    try {
                        engine.leaveNetworks(id);
                    } finally {
                        ContainerMounts.removeAnonymous(engine.volumes(), dir);
                        Engine.removeTree(dir);
                    }
                }
            }
        }
    }

    /** The directory of a container's health check: its exec plan and the monitor's ns link. */
    static final String HEALTH_DIR = "health";
    /** What its monitor writes after each check (Docker's State.Health). */
    static final String HEALTH_FILE = "health.json";

    /**
     * The health check's exec plan, compiled once: the container's namespaces are read through the
     * link {@code health/ns} that the monitor points at each new first process, so the same plan
     * serves every restart. Null (and no directory) when the container has no check.
     */
    private static ContainerRecord.HealthConfig healthPlan(Path dir, RuntimeSpec spec, Snapshot image, Healthcheck mine,
                                                           ContainerCgroup cgroup, Path v2) throws IOException {
        Healthcheck hc = Healthcheck.effective(mine, image.config());
        if (hc == null) return null;
        Path hdir = Files.createDirectory(dir.resolve(HEALTH_DIR));
        RuntimeSpec.Process p = Exec.process(spec, new ExecSettings(hc.command(), java.util.Map.of(), null, null), image.layers());
        PlanCompiler.compileExec(spec, p, hdir.resolve("ns"), v2 != null ? List.of() : cgroup.joinDirs(), v2).write(hdir.resolve("plan"));
        ContainerRecord.HealthConfig h = new ContainerRecord.HealthConfig();
        h.test = hc.test();
        h.intervalMs = hc.intervalOrDefault().toMillis();
        h.timeoutMs = hc.timeoutOrDefault().toMillis();
        h.startPeriodMs = hc.startPeriodOrDefault().toMillis();
        h.retries = hc.retriesOrDefault();
        return h;
    }

    /** The health its monitor last wrote, or null for a container without a check. */
    Health health(String ref) {
        String id = resolve(ref);
        ContainerRecord.Config c = ContainerRecord.readConfig(dir(id));
        if (c.health == null) return null;
        Path f = dir(id).resolve(HEALTH_FILE);
        if (!Files.exists(f)) return new Health("starting", 0, List.of());
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile());
            List<Health.Result> log = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode r : n.path("Log")) {
                log.add(new Health.Result(r.path("Start").asText(), r.path("End").asText(), r.path("ExitCode").asInt(), r.path("Output").asText()));
            }
            return new Health(n.path("Status").asText("starting"), n.path("FailingStreak").asInt(), log);
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Runs the monitor for a container whose cgroup exists; returns once the container runs, or throws why it did not. */
    private void startMonitor(String id, ContainerCgroup cgroup, Plan plan, boolean waitAttach, Path traceFile) {
        Path dir = dir(id);
        ContainerRecord.Config c = ContainerRecord.readConfig(dir);
        RestartPolicy policy = RestartPolicy.parse(c.restart);
        List<String> cmd = new ArrayList<>(List.of(engine.monitor().toString(),
                "-d", dir.toString(), "-e", engine.executor().toString(), "-l", dir.resolve(logName(id)).toString(),
                "-s", socket(id).toString(), "-r", policy.name(), "-m", Integer.toString(policy.maxRetries())));
        if (c.tty) cmd.add("-t");
        if (c.interactive) cmd.add("-i");
        if (waitAttach) cmd.add("-w");
        if (traceFile != null) {
            cmd.add("-x");
            cmd.add(traceFile.toString());
        }
        if (c.health != null) {
            cmd.addAll(List.of("-H", dir.resolve(HEALTH_DIR).toString(), "-I", Long.toString(c.health.intervalMs),
                    "-T", Long.toString(c.health.timeoutMs), "-P", Long.toString(c.health.startPeriodMs),
                    "-R", Integer.toString(c.health.retries)));
        }
        for (Path d : cgroup.joinDirs()) {
            for (String f : List.of("memory.oom_control", "memory.events")) {
                if (Files.exists(d.resolve(f))) {
                    cmd.add("-o");
                    cmd.add(d.resolve(f).toString());
                }
            }
        }
        for (Path d : cgroup.joinDirs()) {
            cmd.add("-c");
            cmd.add(d.toString());
        }
        try {
            Files.createDirectories(socket(id).getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            if (!p.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ContainerException("container " + c.name + ": the monitor did not report the start within "
                        + START_TIMEOUT_MS / 1000 + "s");
            }
            if (p.exitValue() == 0) return;
        } catch (IOException e) {
            throw new ContainerException("container " + c.name + ": cannot start the monitor: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("container " + c.name + ": interrupted while starting", e);
        }
        throw new ContainerException(startFailure(id));
    }

    /** Why the last start failed, from the monitor's state: "exec 'x': No such file or directory". */
    String startFailure(String id) {
        Path dir = dir(id);
        ContainerRecord.Config c = ContainerRecord.readConfig(dir);
        ContainerRecord.State st = ContainerRecord.readState(dir);
        String err = st.error == null ? "" : st.error;
        String[] f = err.split(" ", 4);
        if (f.length >= 3 && f[0].equals("error") && f[1].matches("-?[0-9]+") && f[2].matches("-?[0-9]+")) {
            int index = Integer.parseInt(f[1]);
            String text = f.length > 3 ? f[3].strip() : "error " + f[2];
            List<String> steps;
            try {
                steps = Files.readAllLines(dir.resolve("plan.steps"));
            } catch (IOException e) {
                steps = List.of();
            }
            if (index >= 0 && index < steps.size()) return steps.get(index) + ": " + text;
            return "container " + c.name + " did not start: " + text;
        }
        return "container " + c.name + " did not start" + (err.isBlank() ? "" : ": " + err);
    }

    /** Starts a created or exited container again (docker start); a running one is left alone. */
    ContainerInfo start(String ref) {
        return start(ref, false);
    }

    /** As above; with {@code waitAttach} the monitor starts it once a client has attached (docker run -it over the API). */
    ContainerInfo start(String ref, boolean waitAttach) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            if (monitorAlive(id)) return info(id);
            ContainerRecord.Config c = ContainerRecord.readConfig(dir(id));
            ContainerCgroup cgroup = engine.cgroups().open(id).orElseGet(() -> {
                ContainerCgroup made = engine.cgroups().create(id, c.resources);
                try {
                    made.restrictDevices(SpecBuilder.deviceRules(RuntimeSpec.read(dir(id).resolve("config.json"))));
                } catch (RuntimeException e) {
                    made.close();
                    throw e;
                }
                return made;
            });
            boolean ok = false;
            try {
                startMonitor(id, cgroup, null, waitAttach, null);
                ok = true;
            } finally {
                if (!ok) cgroup.close();
            }
        }
        return info(id);
    }

    // ---- look-up ----------------------------------------------------------------------------

    private List<String> ids() {
        List<String> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(containers())) {
            for (Path d : ds) {
                if (d.getFileName().toString().matches("[0-9a-f]{64}") && isDetached(d)) out.add(d.getFileName().toString());
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + containers() + ": " + e.getMessage(), e);
        }
        return out;
    }

    private Optional<String> findByName(String name) {
        for (String id : ids()) {
            try {
                if (name.equals(ContainerRecord.readConfig(dir(id)).name)) return Optional.of(id);
            } catch (ContainerException e) {
                // removed meanwhile
            }
        }
        return Optional.empty();
    }

    /** The id of the container named {@code ref}, or whose id starts with {@code ref} (Docker's rules: a name wins). */
    String resolve(String ref) {
        if (ref == null || ref.isBlank()) throw new ContainerException("no container given");
        String r = ref.strip();
        Optional<String> byName = findByName(r);
        if (byName.isPresent()) return byName.get();
        if (r.matches("[0-9a-f]+")) {
            List<String> hits = ids().stream().filter(id -> id.startsWith(r)).toList();
            if (hits.size() == 1) return hits.get(0);
            if (hits.size() > 1) throw new ContainerException("container id prefix '" + r + "' is ambiguous (" + hits.size() + " containers)");
        }
        throw new ContainerException("no such container: " + r);
    }

    // ---- reading state ----------------------------------------------------------------------

    boolean monitorAlive(String id) { return FileLock.heldByOther(dir(id).resolve(MONITOR_LOCK)); }

    ContainerInfo info(String id) {
        Path dir = dir(id);
        ContainerRecord.Config c = ContainerRecord.readConfig(dir);
        ContainerRecord.State s = ContainerRecord.readState(dir);
        String status = s.status;
        if ((status.equals("running") || status.equals("restarting")) && !monitorAlive(id)) {
            // read between the monitor's last word and its exit, or the monitor died: the next open sweeps it
            status = "exited";
        }
        if (status.equals("running")) {
            try {
                Optional<ContainerCgroup> cg = engine.cgroups().open(id);
                if (cg.isPresent() && cg.get().frozen()) status = "paused";
            } catch (ContainerException e) {
                // no freezer: cannot be paused
            }
        }
        return new ContainerInfo(id, c.name, c.image, c.command, instant(c.created), status, s.exitCode, s.oomKilled,
                status.equals("running") || status.equals("paused") ? s.pid : 0, s.restartCount, instant(s.startedAt),
                instant(s.finishedAt), RestartPolicy.parse(c.restart), c.tty, s.error == null ? "" : s.error, c.labels,
                c.health != null && status.equals("running") ? healthStatus(dir) : "");
    }

    /** The Status of health.json (cheap: ps reads it for every container); "starting" before the first check. */
    private static String healthStatus(Path dir) {
        try {
            String text = Files.readString(dir.resolve(HEALTH_FILE));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"Status\":\"([a-z]+)\"").matcher(text);
            return m.find() ? m.group(1) : "starting";
        } catch (IOException e) {
            return "starting";
        }
    }

    private static Instant instant(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Running (and paused, restarting) containers, or all with {@code all}; newest first like docker ps. */
    List<ContainerInfo> list(boolean all) {
        List<ContainerInfo> out = new ArrayList<>();
        for (String id : ids()) {
            ContainerInfo i;
            try {
                i = info(id);
            } catch (ContainerException e) {
                continue; // removed while we looked
            }
            if (all || i.isRunning() || i.status().equals("restarting")) out.add(i);
        }
        out.sort(Comparator.comparing(ContainerInfo::created, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }

    // ---- signals, stop, wait ----------------------------------------------------------------

    private FileLock lock(String id) {
        if (!Files.isDirectory(dir(id))) throw new ContainerException("no such container: " + id);
        return FileLock.acquire(dir(id).resolve(LOCK));
    }

    /** Sends a signal to the container's first process (through its monitor). */
    void kill(String ref, String signal) {
        String id = resolve(ref);
        int sig = Signals.number(signal);
        try (FileLock l = lock(id)) {
            ContainerInfo i = info(id);
            if (!i.isRunning()) throw new ContainerException("container " + i.name() + " is not running");
            String answer = MonitorSocket.command(socket(id), "kill " + sig);
            if (!answer.equals("ok")) throw new ContainerException("kill " + i.name() + ": " + answer.replaceFirst("^error ", ""));
        }
    }

    /**
     * docker stop: SIGTERM, and SIGKILL when the container has not ended after {@code timeout};
     * it is not restarted by its policy. Returns its exit status.
     */
    int stop(String ref, Duration timeout) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            stopLocked(id, timeout);
        }
        return info(id).exitCode();
    }

    private void stopLocked(String id, Duration timeout) {
        if (!monitorAlive(id)) return;
        thawIfFrozen(id); // a frozen process gets its signal only once thawed
        MonitorSocket.command(socket(id), "stop 15");
        if (waitMonitor(id, timeout.toMillis())) return;
        MonitorSocket.command(socket(id), "stop 9");
        if (waitMonitor(id, KILL_WAIT_MS)) return;
        // the monitor does not answer: kill what runs in the cgroup, the monitor then reaps it and ends
        engine.cgroups().open(id).ifPresent(ContainerCgroup::close);
        if (!waitMonitor(id, KILL_WAIT_MS)) throw new ContainerException("the monitor of container " + id.substring(0, 12) + " does not end");
    }

    private void thawIfFrozen(String id) {
        try {
            engine.cgroups().open(id).ifPresent(cg -> {
                if (cg.frozen()) cg.thaw();
            });
        } catch (ContainerException ignored) {
            // no freezer
        }
    }

    /** Polls until the monitor has ended or {@code millis} passed; true when it ended. */
    private boolean waitMonitor(String id, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (monitorAlive(id)) {
            if (System.nanoTime() > end) return false;
            sleep(20);
        }
        return true;
    }

    /** Blocks until the container has ended for good (its monitor restarts it no more); returns its exit status. */
    int waitFor(String ref) {
        String id = resolve(ref);
        while (monitorAlive(id)) sleep(50);
        return info(id).exitCode();
    }

    /** docker restart: stop (if running), then start. */
    ContainerInfo restart(String ref, Duration timeout) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            stopLocked(id, timeout);
        }
        return start(id);
    }

    /** docker rm: removes an ended container; {@code force} kills a running one first. Leaves nothing behind. */
    void remove(String ref, boolean force) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            if (monitorAlive(id)) {
                ContainerInfo i = info(id);
                if (!force) {
                    throw new ContainerException("cannot remove container " + i.name() + ": it is " + i.status()
                            + " (stop it first, or remove it with force)");
                }
                stopLocked(id, Duration.ZERO);
            }
            engine.cgroups().open(id).ifPresent(ContainerCgroup::close);
            try {
                Files.deleteIfExists(socket(id));
            } catch (IOException ignored) {
                // the monitor removes it too
            }
            io.cgroovy.runtime.volume.ContainerMounts.removeAnonymous(engine.volumes(), dir(id));
            engine.leaveNetworks(id); // addresses and published ports are the container's until rm, as with Docker
            Engine.removeTree(dir(id));
        }
    }

    /** docker pause: freezes every process of the container (cgroup freezer). */
    void pause(String ref) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            ContainerInfo i = info(id);
            if (i.status().equals("paused")) throw new ContainerException("container " + i.name() + " is already paused");
            if (!i.isRunning()) throw new ContainerException("container " + i.name() + " is not running");
            engine.cgroups().open(id).orElseThrow(() -> new ContainerException("container " + i.name() + " has no cgroup")).freeze();
        }
    }

    /** docker unpause. */
    void unpause(String ref) {
        String id = resolve(ref);
        try (FileLock l = lock(id)) {
            ContainerInfo i = info(id);
            if (!i.status().equals("paused")) throw new ContainerException("container " + i.name() + " is not paused");
            engine.cgroups().open(id).ifPresent(ContainerCgroup::thaw);
        }
    }

    // ---- its filesystem (diff, cp, commit) --------------------------------------------------

    /**
     * Holds a container's filesystem: its lock, and (with {@code freeze}) its processes frozen
     * while it runs. A restarting one is refused (its monitor may start it any moment).
     */
    ContainerFilesystem openFilesystem(String id, boolean freeze) {
        FileLock l = lock(id);
        ContainerCgroup frozen = null;
        try {
            ContainerInfo i = info(id);
            if (i.status().equals("restarting")) {
                throw new ContainerException("container " + i.name() + " is restarting; try again once it runs or has stopped");
            }
            Path live = null;
            if (i.isRunning()) {
                ContainerCgroup cg = engine.cgroups().open(id).orElse(null);
                if (cg != null && freeze && !cg.frozen()) {
                    try {
                        cg.freeze();
                        frozen = cg;
                    } catch (RuntimeException e) {
                        if (info(id).isRunning()) throw e; // else it ended meanwhile, with its cgroup
                    }
                }
                i = info(id);
                if (i.status().equals("restarting")) {
                    throw new ContainerException("container " + i.name() + " is restarting; try again once it runs or has stopped");
                }
                // its first process, checked to be in its cgroup (not a pid reused since it ended)
                if (i.isRunning() && cg != null && i.pid() > 0 && cg.pids().contains(i.pid())) {
                    live = Path.of("/proc", Long.toString(i.pid()), "root", ".");
                }
            }
            ContainerFilesystem fs = new ContainerFilesystem(filesystemRecord(id, i), dir(id).resolve("upper"), live, l, frozen);
            frozen = null;
            l = null;
            return fs;
        } finally {
            if (frozen != null) {
                try {
                    frozen.thaw();
                } catch (RuntimeException ignored) {
                    // ended meanwhile
                }
            }
            if (l != null) l.close();
        }
    }

    /** How a detached container was made, as a kept container's record says it. */
    private KeptContainer filesystemRecord(String id, ContainerInfo i) {
        Path dir = dir(id);
        ContainerRecord.Config c = ContainerRecord.readConfig(dir);
        String imageId = c.imageId;
        if (imageId == null) {
            // made before the image id was recorded: the image its reference names now
            try {
                imageId = engine.images().inspect(c.image).id();
            } catch (RuntimeException e) {
                throw new ContainerException("container " + c.name + ": its image " + c.image + " is gone (" + e.getMessage() + ")");
            }
        }
        List<String> mounts = new ArrayList<>();
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            for (io.cgroovy.runtime.spec.RuntimeSpec.Mount m : io.cgroovy.runtime.spec.RuntimeSpec.read(config).mounts) mounts.add(m.destination);
        }
        return new KeptContainer(id, c.name, imageId, c.image, c.cmd, c.env, c.workdir, c.user, mounts, i.exitCode(), c.entrypoint);
    }

    /** The image ids of all detached containers (a record without one: the image its reference names now). */
    java.util.Set<String> imageIds() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String id : ids()) {
            try {
                ContainerRecord.Config c = ContainerRecord.readConfig(dir(id));
                if (c.imageId != null) out.add(c.imageId);
                else out.add(engine.images().inspect(c.image).id());
            } catch (RuntimeException e) {
                // removed meanwhile, or its image is gone already
            }
        }
        return out;
    }

    /** The container's json-file log. */
    Path logFile(String ref) {
        String id = resolve(ref);
        return dir(id).resolve(logName(id));
    }

    // ---- recovery ---------------------------------------------------------------------------

    /**
     * Containers whose monitor died (killed, or the host's processes went): marked exited, what runs
     * in their cgroup is killed and the cgroup removed, the socket too. The rootfs overlay needs no
     * unmount: it only ever existed in the container's own mount namespace.
     */
    void recover() {
        for (String id : ids()) {
            Path dir = dir(id);
            ContainerRecord.State s;
            try {
                s = ContainerRecord.readState(dir);
            } catch (ContainerException e) {
                continue;
            }
            if (!s.status.equals("running") && !s.status.equals("restarting")) continue;
            if (monitorAlive(id)) continue;
            try (FileLock l = lock(id)) {
                s = ContainerRecord.readState(dir);
                if ((!s.status.equals("running") && !s.status.equals("restarting")) || monitorAlive(id)) continue;
                engine.cgroups().open(id).ifPresent(ContainerCgroup::close);
                s.status = "exited";
                s.pid = 0;
                s.exitCode = 255;
                s.finishedAt = Instant.now().toString();
                s.error = "the monitor of the container died; the container was killed";
                ContainerRecord.write(dir, ContainerRecord.STATE, s);
                Files.deleteIfExists(socket(id));
            } catch (IOException | ContainerException e) {
                // another engine is busy with it, or it was removed: the next open looks again
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted", e);
        }
    }
}

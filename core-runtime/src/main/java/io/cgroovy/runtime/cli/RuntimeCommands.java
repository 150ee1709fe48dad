package io.cgroovy.runtime.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ExecutorBinary;
import io.cgroovy.runtime.cgroup.CgroupMounts;
import io.cgroovy.runtime.cgroup.Cgroups;
import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.cgroup.Resources;
import io.cgroovy.runtime.inspect.Processes;
import io.cgroovy.runtime.plan.Plan;
import io.cgroovy.runtime.plan.PlanCompiler;
import io.cgroovy.runtime.spec.RuntimeSpec;
import io.cgroovy.runtime.spec.SpecBuilder;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The commands of {@link RuntimeCli}, each as runc has it, over one state root. */
final class RuntimeCommands {
    private final Path root;
    private final PrintStream out;
    private final PrintStream err;

    RuntimeCommands(Path root, PrintStream out, PrintStream err) {
        this.root = root;
        this.out = out;
        this.err = err;
    }

    int run(String cmd, List<String> argv) {
        RuntimeCli.Args a = RuntimeCli.parse(argv, cmd.equals("exec"));
        return switch (cmd) {
            case "create" -> { create(id(a), a, true); yield 0; }
            case "start" -> { start(id(a)); yield 0; }
            case "state" -> { state(id(a)); yield 0; }
            case "kill" -> { kill(id(a), a.positional().size() > 1 ? a.positional().get(1) : "TERM", a.has("all", "a")); yield 0; }
            case "delete" -> { delete(id(a), a.has("force", "f")); yield 0; }
            case "list" -> { list(a.flag("format", "f"), a.has("quiet", "q")); yield 0; }
            case "run" -> runCmd(id(a), a);
            case "exec" -> exec(id(a), a);
            case "spec" -> { spec(a.flag("bundle", "b")); yield 0; }
            case "ps" -> { ps(id(a), a.flag("format", "f")); yield 0; }
            case "pause" -> { cgroup(load(id(a))).freeze(); yield 0; }
            case "resume" -> { cgroup(load(id(a))).thaw(); yield 0; }
            case "features" -> { out.println("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.0.2\"}"); yield 0; }
            default -> throw new ContainerException("unknown command '" + cmd + "' (create, start, state, kill, delete, list, run, exec, spec, ps, pause, resume)");
        };
    }

    private static String id(RuntimeCli.Args a) {
        if (a.positional().isEmpty()) throw new ContainerException("this command needs a container id");
        String id = a.positional().get(0);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_+.-]{0,1023}")) throw new ContainerException("invalid container id '" + id + "'");
        return id;
    }

    private Path dir(String id) { return RuntimeState.dir(root, id); }

    private RuntimeState load(String id) { return RuntimeState.read(root, id); }

    // ---- create / start / run ----------------------------------------------------------------

    /** Creates the container; with {@code waitForStart} its process stops before exec until "start". Returns its state. */
    private RuntimeState create(String id, RuntimeCli.Args a, boolean waitForStart) {
        Path bundle = Path.of(a.flag("bundle", "b") == null ? "." : a.flag("bundle", "b")).toAbsolutePath().normalize();
        RuntimeSpec spec;
        try {
            spec = RuntimeSpec.read(bundle.resolve("config.json"));
        } catch (java.io.UncheckedIOException e) {
            throw new ContainerException("cannot read " + bundle.resolve("config.json") + ": " + e.getCause().getMessage());
        }
        if (spec.process == null || spec.process.args == null || spec.process.args.isEmpty()) throw new ContainerException("config.json: process.args is empty");
        checkTerminal(spec.process.terminal, a.flag("console-socket"), waitForStart || a.has("detach", "d"));
        Path rootfs = bundle.resolve(spec.root == null || spec.root.path == null ? "rootfs" : spec.root.path).normalize();
        if (!Files.isDirectory(rootfs)) throw new ContainerException("rootfs " + rootfs + " is not a directory");
        Path d = dir(id);
        try {
            Files.createDirectories(root);
            Files.createDirectory(d);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ContainerException("container with id exists: " + id);
        } catch (IOException e) {
            throw new ContainerException("cannot create " + d + ": " + e.getMessage());
        }
        ContainerCgroup cgroup = null;
        boolean ok = false;
        try {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
            Files.copy(bundle.resolve("config.json"), d.resolve("config.json"));
            String[] cg = cgroupPath(spec, id);
            cgroup = Cgroups.detect(cg[0]).create(cg[1], resources(spec));
            List<io.cgroovy.runtime.cgroup.DeviceRule> devices = SpecBuilder.deviceRules(spec);
            // as runc: its default devices (null, zero, tty, ptmx, pts/* ...) stay allowed whatever the spec's rules say
            if (!devices.isEmpty()) devices.addAll(SpecBuilder.defaultAllowedDevices());
            cgroup.restrictDevices(devices);
            Path fifo = null;
            if (waitForStart) {
                fifo = d.resolve("exec.fifo");
                if (Libc.INSTANCE.mkfifo(fifo.toString(), 0622) != 0) throw new ContainerException("cannot make " + fifo);
                Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("rw--w--w-"));
            }
            Path v2 = cgroup.v2Dir().orElse(null);
            Plan plan = PlanCompiler.compileCreate(spec, new PlanCompiler.Rootfs(rootfs, List.of(), rootfs, rootfs),
                    v2 != null ? List.of() : cgroup.joinDirs(), v2, CgroupMounts.read().mounts(), PlanCompiler.readHostCgroupLinks(), fifo);
            RuntimeState st = new RuntimeState();
            st.id = id;
            st.bundle = bundle.toString();
            st.rootfs = rootfs.toString();
            st.created = Instant.now().toString();
            st.cgroupParent = cg[0];
            st.cgroupName = cg[1];
            st.annotations = spec.annotations;
            if (!waitForStart) {
                st.write(root);
                ok = true;
                return st;
            }
            String status = executor(d, plan, true, a.flag("console-socket"));
            if (!status.startsWith("created ")) throw new ContainerException(failure(plan, status));
            st.pid = Long.parseLong(status.substring(8).trim());
            long[] ps = RuntimeState.stat(st.pid);
            st.pidStart = ps == null ? 0 : ps[1];
            st.write(root);
            writePidFile(a.flag("pid-file"), st.pid);
            ok = true;
            return st;
        } catch (IOException e) {
            throw new ContainerException("create " + id + ": " + e.getMessage());
        } finally {
            if (!ok) {
                if (cgroup != null) cgroup.close();
                removeTree(d);
            }
        }
    }

    /**
     * runc's rules: a console socket only for a process with a terminal; a detached process with a terminal
     * needs one (else the executor relays the terminal to this command's stdio).
     */
    private static void checkTerminal(boolean terminal, String consoleSocket, boolean detached) {
        if (consoleSocket != null && !terminal) throw new ContainerException("--console-socket needs a process with a terminal (process.terminal)");
        if (terminal && detached && consoleSocket == null) throw new ContainerException("a detached process with a terminal needs --console-socket");
    }

    /**
     * Runs the executor on a plan with this process's stdio; handover: it returns once the container is created.
     * With a console socket the executor connects to it and the process's terminal master is sent there (SCM_RIGHTS).
     */
    private String executor(Path d, Plan plan, boolean handover, String consoleSocket) {
        Path planFile = d.resolve("plan");
        Path status = d.resolve("status");
        plan.write(planFile);
        ProcessBuilder pb = new ProcessBuilder(ExecutorBinary.install(root).toString(), planFile.toString(), status.toString());
        pb.environment().clear();
        if (handover) pb.environment().put("CGROOVY_HANDOVER", "1");
        if (consoleSocket != null) pb.environment().put("CGROOVY_CONSOLE_SOCKET", Path.of(consoleSocket).toAbsolutePath().toString());
        else pb.environment().put("CGROOVY_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        pb.inheritIO();
        try {
            Process p = pb.start();
            int code = waitFor(p);
            String st = Files.exists(status) ? Files.readString(status).trim() : "";
            return st.isEmpty() ? "exit " + code : st;
        } catch (IOException e) {
            throw new ContainerException("cannot run the executor: " + e.getMessage());
        }
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                p.destroy(); // SIGTERM: the executor forwards it to the container
            }
        }
    }

    private static String failure(Plan plan, String status) {
        if (status.startsWith("error ")) {
            String[] f = status.split(" ", 4);
            return plan.failureMessage(Integer.parseInt(f[1]), Integer.parseInt(f[2]), f.length > 3 ? f[3] : "");
        }
        return "the container did not start (" + status + ")";
    }

    private void start(String id) {
        RuntimeState st = load(id);
        String status = st.status(root, false);
        if (!status.equals("created")) throw new ContainerException("cannot start a container that is " + status + " (" + id + ")");
        Path fifo = dir(id).resolve("exec.fifo");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread opener = new Thread(() -> {
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                in.read();
            } catch (IOException | RuntimeException e) {
                failed.set(e);
            }
        }, "start " + id);
        opener.setDaemon(true);
        opener.start();
        // the container waits in open(fifo, O_WRONLY); if it died meanwhile nobody would open the other end
        while (opener.isAlive()) {
            try {
                opener.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (opener.isAlive() && !st.alive()) throw new ContainerException("container " + id + " ended before it was started");
        }
        if (failed.get() != null) throw new ContainerException("cannot start " + id + ": " + failed.get().getMessage());
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw new ContainerException("cannot remove " + fifo + ": " + e.getMessage());
        }
    }

    private int runCmd(String id, RuntimeCli.Args a) {
        if (a.has("detach", "d")) {
            create(id, a, true);
            start(id);
            return 0;
        }
        RuntimeState st = create(id, a, false);
        RuntimeSpec spec = RuntimeSpec.read(dir(id).resolve("config.json"));
        ContainerCgroup cg = cgroup(st);
        try {
            Path v2 = cg.v2Dir().orElse(null);
            Plan plan = PlanCompiler.compileCreate(spec, new PlanCompiler.Rootfs(Path.of(st.rootfs), List.of(), Path.of(st.rootfs), Path.of(st.rootfs)),
                    v2 != null ? List.of() : cg.joinDirs(), v2, CgroupMounts.read().mounts(), PlanCompiler.readHostCgroupLinks(), null);
            String status = executor(dir(id), plan, false, a.flag("console-socket"));
            if (status.startsWith("exit ")) return Integer.parseInt(status.substring(5).trim());
            throw new ContainerException(failure(plan, status));
        } finally {
            if (!a.has("keep")) {
                cg.close();
                removeTree(dir(id));
            }
        }
    }

    // ---- state / list / ps ------------------------------------------------------------------

    private RuntimeState.Oci oci(RuntimeState st) {
        boolean frozen = false;
        if (st.alive()) {
            try {
                frozen = cgroupIfAny(st).map(ContainerCgroup::frozen).orElse(false);
            } catch (ContainerException e) {
                frozen = false;
            }
        }
        String status = st.status(root, frozen);
        return new RuntimeState.Oci("1.0.2", st.id, status.equals("stopped") ? 0 : st.pid, status, st.bundle, st.rootfs, st.created,
                "", st.annotations);
    }

    private void state(String id) {
        try {
            out.println(RuntimeState.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(oci(load(id))));
        } catch (IOException e) {
            throw new ContainerException(e.getMessage());
        }
    }

    private List<RuntimeState> all() {
        List<RuntimeState> list = new ArrayList<>();
        if (!Files.isDirectory(root)) return list;
        try (var ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (Files.exists(d.resolve("state.json"))) list.add(RuntimeState.read(root, d.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new ContainerException("cannot list " + root + ": " + e.getMessage());
        }
        list.sort(Comparator.comparing(s -> s.created == null ? "" : s.created));
        return list;
    }

    private void list(String format, boolean quiet) {
        List<RuntimeState> all = all();
        if ("json".equals(format)) {
            List<RuntimeState.Oci> o = new ArrayList<>();
            for (RuntimeState s : all) o.add(oci(s));
            try {
                out.println(RuntimeState.JSON.writeValueAsString(o));
            } catch (IOException e) {
                throw new ContainerException(e.getMessage());
            }
            return;
        }
        if (quiet) {
            for (RuntimeState s : all) out.println(s.id);
            return;
        }
        out.printf("%-12s %-8s %-10s %-40s %-30s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (RuntimeState s : all) {
            RuntimeState.Oci o = oci(s);
            out.printf("%-12s %-8d %-10s %-40s %-30s %s%n", o.id(), o.pid(), o.status(), o.bundle(), o.created(), "root");
        }
    }

    private void ps(String id, String format) {
        RuntimeState st = load(id);
        List<Long> pids = cgroupIfAny(st).map(ContainerCgroup::pids).orElse(List.of());
        if ("json".equals(format)) {
            out.println(pids.toString().replace(" ", ""));
            return;
        }
        // runc prints ps -ef's table of the container's processes
        out.println(String.join("\t", Processes.TITLES));
        for (Processes.Process p : Processes.of(pids)) {
            out.println(String.join("\t", p.row()));
        }
    }

    // ---- kill / delete ----------------------------------------------------------------------

    private void kill(String id, String signal, boolean all) {
        RuntimeState st = load(id);
        int sig = signal(signal);
        if (!st.alive()) throw new ContainerException("container " + id + " is not running");
        List<Long> pids = all ? cgroupIfAny(st).map(ContainerCgroup::pids).orElse(List.of(st.pid)) : List.of(st.pid);
        for (long p : pids) {
            if (Libc.INSTANCE.kill((int) p, sig) != 0 && !all) throw new ContainerException("cannot send signal " + signal + " to " + id);
        }
    }

    private static final List<String> SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
            "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    static int signal(String s) {
        String n = s.trim().toUpperCase();
        if (n.matches("[0-9]+")) {
            int v = Integer.parseInt(n);
            if (v > 0 && v <= 64) return v;
        } else {
            if (n.startsWith("SIG")) n = n.substring(3);
            int i = SIGNALS.indexOf(n);
            if (i > 0) return i;
        }
        throw new ContainerException("unknown signal '" + s + "'");
    }

    private void delete(String id, boolean force) {
        RuntimeState st = load(id);
        String status = st.status(root, false);
        if (st.alive() && !force && !status.equals("created")) {
            throw new ContainerException("cannot delete container " + id + " that is not stopped: " + status);
        }
        Optional<ContainerCgroup> cg = cgroupIfAny(st);
        if (st.alive()) Libc.INSTANCE.kill((int) st.pid, 9);
        cg.ifPresent(ContainerCgroup::close); // kills what is left and removes the cgroup
        removeTree(dir(id));
    }

    // ---- exec -------------------------------------------------------------------------------

    private int exec(String id, RuntimeCli.Args a) {
        RuntimeState st = load(id);
        if (!st.alive() || st.status(root, false).equals("created")) throw new ContainerException("cannot exec in a container that is not running (" + id + ")");
        RuntimeSpec spec = RuntimeSpec.read(dir(id).resolve("config.json"));
        RuntimeSpec.Process p;
        if (a.flag("process", "p") != null) {
            try {
                p = RuntimeState.JSON.readValue(Path.of(a.flag("process", "p")).toFile(), RuntimeSpec.Process.class);
            } catch (IOException e) {
                throw new ContainerException("cannot read the process file " + a.flag("process", "p") + ": " + e.getMessage());
            }
        } else {
            List<String> cmd = a.positional().subList(1, a.positional().size());
            if (cmd.isEmpty()) throw new ContainerException("exec needs a command");
            p = new RuntimeSpec.Process();
            p.args = new ArrayList<>(cmd);
            p.env = new ArrayList<>(spec.process.env);
            p.env.addAll(a.list("env", "e"));
            p.cwd = a.flag("cwd") != null ? a.flag("cwd") : spec.process.cwd;
            p.user = spec.process.user;
            if (a.flag("user", "u") != null) {
                String[] u = a.flag("user", "u").split(":");
                p.user = new RuntimeSpec.User();
                try {
                    p.user.uid = Long.parseLong(u[0]);
                    p.user.gid = u.length > 1 ? Long.parseLong(u[1]) : 0;
                } catch (NumberFormatException e) {
                    throw new ContainerException("exec --user takes uid[:gid], not '" + a.flag("user", "u") + "'");
                }
            }
            p.noNewPrivileges = spec.process.noNewPrivileges || a.has("no-new-privs");
            p.terminal = a.has("tty", "t");
        }
        checkTerminal(p.terminal, a.flag("console-socket"), a.has("detach", "d"));
        if (p.capabilities == null) p.capabilities = spec.process.capabilities;
        if (p.rlimits == null || p.rlimits.isEmpty()) p.rlimits = spec.process.rlimits;
        if (p.cwd == null || p.cwd.isEmpty()) p.cwd = "/";
        ContainerCgroup cg = cgroup(st);
        Path v2 = cg.v2Dir().orElse(null);
        Plan plan = PlanCompiler.compileExec(spec, p, st.pid, v2 != null ? List.of() : cg.joinDirs(), v2,
                p.terminal ? new PlanCompiler.Terminal(0, 0, "") : null);
        Path work;
        try {
            work = Files.createTempDirectory(dir(id), "exec-");
        } catch (IOException e) {
            throw new ContainerException("exec: " + e.getMessage());
        }
        try {
            boolean detach = a.has("detach", "d");
            String status = executor(work, plan, detach, a.flag("console-socket"));
            if (detach) {
                if (!status.startsWith("running ")) throw new ContainerException(failure(plan, status));
                writePidFile(a.flag("pid-file"), Long.parseLong(status.substring(8).trim()));
                return 0;
            }
            if (status.startsWith("exit ")) return Integer.parseInt(status.substring(5).trim());
            throw new ContainerException(failure(plan, status));
        } finally {
            removeTree(work);
        }
    }

    // ---- spec -------------------------------------------------------------------------------

    /** runc spec: a config.json for a rootfs/ directory running sh, with the same defaults as cgroovy's containers. */
    private void spec(String bundleFlag) {
        Path bundle = Path.of(bundleFlag == null ? "." : bundleFlag);
        Path file = bundle.resolve("config.json");
        if (Files.exists(file)) throw new ContainerException("File " + file + " exists. Remove it first");
        RuntimeSpec s = new RuntimeSpec();
        s.process.args = new ArrayList<>(List.of("sh"));
        s.process.env = new ArrayList<>(List.of("PATH=" + SpecBuilder.DEFAULT_PATH, "TERM=xterm"));
        s.process.cwd = "/";
        RuntimeSpec.Capabilities caps = new RuntimeSpec.Capabilities();
        caps.bounding = new ArrayList<>(SpecBuilder.DEFAULT_CAPS);
        caps.effective = new ArrayList<>(SpecBuilder.DEFAULT_CAPS);
        caps.permitted = new ArrayList<>(SpecBuilder.DEFAULT_CAPS);
        s.process.capabilities = caps;
        s.process.rlimits.add(new RuntimeSpec.Rlimit("RLIMIT_NOFILE", 1024, 1024));
        s.process.noNewPrivileges = true;
        s.root.path = "rootfs";
        s.root.readonly = true;
        s.hostname = "cgroovy";
        s.mounts = SpecBuilder.defaultMounts();
        for (String ns : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) s.linux.namespaces.add(new RuntimeSpec.Namespace(ns));
        s.linux.maskedPaths = new ArrayList<>(SpecBuilder.MASKED_PATHS);
        s.linux.readonlyPaths = new ArrayList<>(SpecBuilder.READONLY_PATHS);
        s.linux.resources = SpecBuilder.resources(null);
        s.linux.seccomp = SpecBuilder.defaultSeccomp();
        s.write(file);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** cgroupsPath "/a/b/name" → parent "a/b", name "name"; none → "cgroovy-runtime"/ID. systemd's "slice:prefix:name" is refused. */
    static String[] cgroupPath(RuntimeSpec spec, String id) {
        String p = spec.linux == null ? null : spec.linux.cgroupsPath;
        if (p == null || p.isBlank()) return new String[]{"cgroovy-runtime", id};
        if (p.contains(":")) throw new ContainerException("cgroupsPath '" + p + "' is a systemd slice: use the cgroupfs cgroup manager");
        String clean = p.replaceAll("^/+|/+$", "");
        int slash = clean.lastIndexOf('/');
        if (slash < 0) return new String[]{"cgroovy-runtime", clean};
        return new String[]{clean.substring(0, slash), clean.substring(slash + 1)};
    }

    static Resources resources(RuntimeSpec spec) {
        RuntimeSpec.Resources r = spec.linux == null ? null : spec.linux.resources;
        if (r == null) return Resources.NONE;
        Long mem = r.memory == null ? null : r.memory.limit;
        Long swap = r.memory == null ? null : r.memory.swap;
        Double cpus = r.cpu != null && r.cpu.quota != null && r.cpu.quota > 0 && r.cpu.period != null && r.cpu.period > 0
                ? (double) r.cpu.quota / r.cpu.period : null;
        Long shares = r.cpu == null ? null : r.cpu.shares;
        Long pids = r.pids == null || r.pids.limit <= 0 ? null : r.pids.limit;
        return new Resources(mem != null && mem > 0 ? mem : null, swap != null && swap != 0 ? swap : null, cpus, shares, pids);
    }

    private ContainerCgroup cgroup(RuntimeState st) {
        return cgroupIfAny(st).orElseThrow(() -> new ContainerException("container " + st.id + " has no cgroup"));
    }

    private static Optional<ContainerCgroup> cgroupIfAny(RuntimeState st) {
        return Cgroups.detect(st.cgroupParent).open(st.cgroupName);
    }

    private static void writePidFile(String file, long pid) {
        if (file == null) return;
        Path f = Path.of(file).toAbsolutePath();
        try {
            Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(pid));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write the pid file " + f + ": " + e.getMessage());
        }
    }

    private static void removeTree(Path d) {
        if (!Files.exists(d)) return;
        try (var walk = Files.walk(d)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ContainerException("cannot remove " + d + ": " + e.getMessage());
        }
    }
}

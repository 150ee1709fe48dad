package io.cgroovy.runtime.plan;

import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.cgroup.CgroupMounts;
import io.cgroovy.runtime.spec.RuntimeSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles an OCI runtime spec plus the container's rootfs overlay into a launch plan for the
 * C executor. Everything that needs a decision happens here; the executor only performs steps.
 *
 * <p>The rootfs overlay is mounted by the executor inside the container's new mount namespace
 * (never on the host), so it disappears with the container even when the JVM dies.
 */
public final class PlanCompiler {
    /**
     * Where the executor's container root ends up: host paths of the overlay parts. With a user namespace,
     * {@code idmapLayers} shows each layer through the namespace's maps (an idmapped mount: files of uid 0
     * belong to the container's root); without it the layers must already be owned by the mapped ids.
     */
    public record Rootfs(Path rootfs, List<Path> layersLowestFirst, Path upper, Path work, boolean idmapLayers) {
        public Rootfs {
            layersLowestFirst = List.copyOf(layersLowestFirst);
        }

        public Rootfs(Path rootfs, List<Path> layersLowestFirst, Path upper, Path work) {
            this(rootfs, layersLowestFirst, upper, work, false);
        }
    }

    /** Mount options podman/crun put in config.json that are instructions to the runtime, not mount data (not acted on). */
    static final java.util.Set<String> RUNTIME_ONLY_OPTIONS = java.util.Set.of("tmpcopyup", "notmpcopyup", "copy-symlink", "z", "Z", "U");

    /** Overlay mount data must fit one page with its NUL. */
    static final int MAX_MOUNT_DATA = 4095;

    private static final String[][] DEFAULT_DEVICES = {
            {"/dev/null", "1", "3"}, {"/dev/zero", "1", "5"}, {"/dev/full", "1", "7"},
            {"/dev/random", "1", "8"}, {"/dev/urandom", "1", "9"}, {"/dev/tty", "5", "0"}};

    private final RuntimeSpec spec;
    private final Rootfs rootfs;
    private final List<Path> cgroupJoinDirs;
    private final Path cloneInto;
    private final List<CgroupMounts.Mount> hostCgroupMounts;
    private final Map<String, String> hostCgroupLinks;
    private final List<Step> steps = new ArrayList<>();
    /** runc-style create: the fifo "start" opens; the process waits on it right before exec. */
    private Path startFifo;
    /** The process gets a terminal of its own (null: the executor's stdio). */
    private Terminal terminal;
    /** The container gets a user namespace of its own (clone with CLONE_NEWUSER). */
    private boolean userns;
    /** Mounts made detached before the clone (user namespace): the index of the step that made each. */
    private final Map<RuntimeSpec.Mount, Integer> detached = new java.util.IdentityHashMap<>();
    /** cgroup mounts replaced by binds of the container's cgroup directories (user namespace, no cgroup namespace): {name, step}. */
    private final Map<RuntimeSpec.Mount, List<Object[]>> cgroupDetached = new java.util.IdentityHashMap<>();

    private PlanCompiler(RuntimeSpec spec, Rootfs rootfs, List<Path> cgroupJoinDirs, Path cloneInto,
                         List<CgroupMounts.Mount> hostCgroupMounts, Map<String, String> hostCgroupLinks) {
        this.spec = spec;
        this.rootfs = rootfs;
        this.cgroupJoinDirs = cgroupJoinDirs;
        this.cloneInto = cloneInto;
        this.hostCgroupMounts = hostCgroupMounts;
        this.hostCgroupLinks = hostCgroupLinks;
    }

    /**
     * @param spec             the container's runtime spec
     * @param rootfs           the overlay to mount as the container's root
     * @param cgroupJoinDirs   the cgroup directories the container's first process joins (before its cgroup namespace)
     * @param hostCgroupMounts the host's cgroup mounts, to give the container the same /sys/fs/cgroup layout
     */
    public static Plan compile(RuntimeSpec spec, Rootfs rootfs, List<Path> cgroupJoinDirs, List<CgroupMounts.Mount> hostCgroupMounts) {
        return compile(spec, rootfs, cgroupJoinDirs, hostCgroupMounts, Map.of());
    }

    /**
     * As above; {@code hostCgroupLinks} are the symlinks in the host's /sys/fs/cgroup (name → target,
     * e.g. "cpu" → "cpu,cpuacct" on v1 hosts with combined hierarchies), made the same in the container.
     */
    public static Plan compile(RuntimeSpec spec, Rootfs rootfs, List<Path> cgroupJoinDirs, List<CgroupMounts.Mount> hostCgroupMounts,
                               Map<String, String> hostCgroupLinks) {
        return compile(spec, rootfs, cgroupJoinDirs, null, hostCgroupMounts, hostCgroupLinks);
    }

    /**
     * As above; with {@code cloneInto} (the container's cgroup v2 directory) the first process is
     * created in that cgroup by clone3(CLONE_INTO_CGROUP) instead of joining it after clone (the
     * executor falls back to joining on kernels without it); {@code cgroupJoinDirs} should then be empty.
     */
    public static Plan compile(RuntimeSpec spec, Rootfs rootfs, List<Path> cgroupJoinDirs, Path cloneInto,
                               List<CgroupMounts.Mount> hostCgroupMounts, Map<String, String> hostCgroupLinks) {
        PlanCompiler c = new PlanCompiler(spec, rootfs, cgroupJoinDirs, cloneInto, hostCgroupMounts, new TreeMap<>(hostCgroupLinks));
        c.compile();
        return new Plan(c.steps);
    }

    /**
     * A plan that starts one more process in a running container ({@code docker exec}): the pid namespace of
     * the container's first process is joined before the clone (so the new process is born in it); the
     * child joins the container's cgroup, then its user namespace (if any) and the others, the mount
     * namespace last (which puts it at the container's root); then the same steps as the first process:
     * rlimits, capabilities, seccomp, user, no_new_privs, fds closed, working directory, exec.
     *
     * @param spec           the container's runtime spec (namespaces, seccomp)
     * @param process        the new process (args, env, user, cwd, capabilities)
     * @param initPid        the host pid of the container's first process
     * @param cgroupJoinDirs v1: the container's cgroup directories; empty on v2
     * @param cloneInto      v2: the container's cgroup directory (clone3 CLONE_INTO_CGROUP); null on v1
     */
    public static Plan compileExec(RuntimeSpec spec, RuntimeSpec.Process process, long initPid, List<Path> cgroupJoinDirs, Path cloneInto) {
        return compileExec(spec, process, initPid, cgroupJoinDirs, cloneInto, null);
    }

    /**
     * A pseudo-terminal for a process: opened in the container's devpts once its mount namespace is
     * joined, {@code rows} x {@code cols} (0 = the kernel's default); the executor serves
     * "resize ROWS COLS" on the unix socket {@code control} (none when empty).
     */
    public record Terminal(int rows, int cols, String control) {}

    /** As above, with the new process on a terminal of its own ({@code docker exec -t}) when {@code terminal} is set. */
    public static Plan compileExec(RuntimeSpec spec, RuntimeSpec.Process process, long initPid, List<Path> cgroupJoinDirs, Path cloneInto,
                                   Terminal terminal) {
        PlanCompiler c = new PlanCompiler(spec, null, cgroupJoinDirs, cloneInto, List.of(), Map.of());
        c.terminal = terminal;
        if (initPid <= 0) throw new ContainerException("the container is not running");
        c.compileExec(process, "/proc/" + initPid + "/ns", "process " + initPid);
        return new Plan(c.steps);
    }

    /**
     * As above, with the namespaces read from {@code nsDir} (a symlink to some /proc/PID/ns) instead
     * of one pid's: a plan compiled once and run again after restarts (health checks, run by the
     * monitor, which points the link at each new first process).
     */
    public static Plan compileExec(RuntimeSpec spec, RuntimeSpec.Process process, Path nsDir, List<Path> cgroupJoinDirs, Path cloneInto) {
        PlanCompiler c = new PlanCompiler(spec, null, cgroupJoinDirs, cloneInto, List.of(), Map.of());
        c.compileExec(process, nsDir.toString(), "the container (" + nsDir + ")");
        return new Plan(c.steps);
    }

    /** setns order: user first (its capabilities then allow the rest), mount last. */
    private static final List<String> EXEC_JOIN_ORDER = List.of("user", "ipc", "uts", "network", "cgroup", "mount");

    private void compileExec(RuntimeSpec.Process p, String nsDir, String whose) {
        String ns = nsDir + "/";
        if (hasNamespace("pid")) add("join the pid namespace of " + whose, "setns", ns + "pid", Linux.CLONE_NEWPID);
        if (cloneInto != null) add("start the process in cgroup " + cloneInto, "clone", 0, cloneInto.toString());
        else add("start the process", "clone", 0);
        for (Path dir : cgroupJoinDirs) add("join cgroup " + dir, "join-cgroup", dir.toString());
        for (String type : EXEC_JOIN_ORDER) {
            if (!hasNamespace(type)) continue;
            String file = switch (type) {
                case "network" -> "net";
                case "mount" -> "mnt";
                default -> type;
            };
            long flag = switch (type) {
                case "user" -> Linux.CLONE_NEWUSER;
                case "ipc" -> Linux.CLONE_NEWIPC;
                case "uts" -> Linux.CLONE_NEWUTS;
                case "network" -> Linux.CLONE_NEWNET;
                case "cgroup" -> Linux.CLONE_NEWCGROUP;
                default -> Linux.CLONE_NEWNS;
            };
            add("join the " + type + " namespace of " + whose, "setns", ns + file, flag);
        }
        if (terminal != null) terminalStep();
        process(p, clean(p.cwd == null || p.cwd.isEmpty() ? "/" : p.cwd));
    }

    /**
     * As above, for a container that is created now and started later (runc create/start): the process
     * stops right before exec until {@code startFifo} is opened for reading. With no layers in
     * {@code rootfs}, its directory (prepared by the caller, e.g. podman) is bind-mounted on itself.
     */
    public static Plan compileCreate(RuntimeSpec spec, Rootfs rootfs, List<Path> cgroupJoinDirs, Path cloneInto,
                                     List<CgroupMounts.Mount> hostCgroupMounts, Map<String, String> hostCgroupLinks, Path startFifo) {
        PlanCompiler c = new PlanCompiler(spec, rootfs, cgroupJoinDirs, cloneInto, hostCgroupMounts, new TreeMap<>(hostCgroupLinks));
        c.startFifo = startFifo;
        c.compile();
        return new Plan(c.steps);
    }

    /** The symlinks directly in the host's /sys/fs/cgroup (name → target); empty when there are none. */
    public static Map<String, String> readHostCgroupLinks() {
        Map<String, String> links = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(CgroupMounts.DEFAULT_ROOT)) {
            for (Path p : ds) {
                if (Files.isSymbolicLink(p)) links.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
            }
        } catch (java.io.IOException e) {
            return Map.of();
        }
        return links;
    }

    /** After the mount namespace (its /dev/ptmx is the container's devpts), before fds are closed and privileges dropped. */
    private void terminalStep() {
        add("open a terminal", "terminal", terminal.rows(), terminal.cols(), terminal.control() == null ? "" : terminal.control());
    }

    private void add(String description, String op, Object... args) {
        steps.add(Step.of(description, op, args));
    }

    private boolean hasNamespace(String type) {
        for (RuntimeSpec.Namespace n : spec.linux.namespaces) {
            if (n.type.equals(type)) return true;
        }
        return false;
    }

    private void compile() {
        // namespaces
        long flags = 0;
        List<String> names = new ArrayList<>();
        for (RuntimeSpec.Namespace n : spec.linux.namespaces) {
            if (n.path != null && !n.path.isEmpty()) {
                // joined by the executor before it clones, so the container is born inside it
                // (for pid: its children are); mount, cgroup and user namespaces are always new
                long type = switch (n.type) {
                    case "pid" -> Linux.CLONE_NEWPID;
                    case "network" -> Linux.CLONE_NEWNET;
                    case "ipc" -> Linux.CLONE_NEWIPC;
                    case "uts" -> Linux.CLONE_NEWUTS;
                    default -> throw new ContainerException("joining an existing " + n.type + " namespace is not supported");
                };
                if (!n.path.startsWith("/")) throw new ContainerException(n.type + " namespace path '" + n.path + "' is not absolute");
                add("join " + n.type + " namespace " + n.path, "setns", n.path, type);
                continue;
            }
            switch (n.type) {
                case "pid" -> flags |= Linux.CLONE_NEWPID;
                case "mount" -> flags |= Linux.CLONE_NEWNS;
                case "uts" -> flags |= Linux.CLONE_NEWUTS;
                case "ipc" -> flags |= Linux.CLONE_NEWIPC;
                case "network" -> flags |= Linux.CLONE_NEWNET;
                case "cgroup" -> { continue; }
                case "user" -> flags |= Linux.CLONE_NEWUSER;
                default -> throw new ContainerException("unknown namespace type '" + n.type + "'");
            }
            names.add(n.type);
        }
        if ((flags & Linux.CLONE_NEWNS) == 0) throw new ContainerException("a container needs its own mount namespace");
        userns = (flags & Linux.CLONE_NEWUSER) != 0;
        if (userns) beforeUserNamespace();
        if (cloneInto != null) {
            add("create namespaces (" + String.join(", ", names) + ") in cgroup " + cloneInto, "clone", flags, cloneInto.toString());
        } else {
            add("create namespaces (" + String.join(", ", names) + ")", "clone", flags);
        }

        // cgroup: join first, then the cgroup namespace so that its root is the container's cgroup
        if (!userns) for (Path dir : cgroupJoinDirs) add("join cgroup " + dir, "join-cgroup", dir.toString());
        boolean cgroupNs = hasNamespace("cgroup");
        if (cgroupNs) add("create cgroup namespace", "unshare", Linux.CLONE_NEWCGROUP);

        if (userns) {
            // the parent mounted the root in a mount namespace of its own and made it the cwd the child inherits
            add("open rootfs " + rootfs.rootfs(), "open-root-copy", ".");
        } else {
            add("make mounts private", "mount-host", "", "/", "", Linux.MS_REC | Linux.MS_PRIVATE, "");
            rootfsMount();
            add("open rootfs " + rootfs.rootfs(), "open-root", rootfs.rootfs().toString());
            if (startFifo != null) add("open the start fifo " + startFifo, "open-start", startFifo.toString());
        }

        boolean devTmpfs = false;
        for (RuntimeSpec.Mount m : spec.mounts) {
            mount(m);
            if ("/dev".equals(clean(m.destination))) devTmpfs = true;
        }
        if (devTmpfs) devices();
        if (spec.linux.devices != null) {
            for (RuntimeSpec.Device d : spec.linux.devices) extraDevice(d);
        }
        String cwd = clean(spec.process.cwd);
        if (!cwd.equals("/")) add("create working directory " + cwd, "mkdir", cwd);

        add("pivot_root to " + rootfs.rootfs(), "pivot-root");
        sysctls(false);
        for (String p : spec.linux.maskedPaths) add("mask " + clean(p), "mask", clean(p));
        for (String p : spec.linux.readonlyPaths) add("make " + clean(p) + " read-only", "readonly", clean(p));
        if (spec.root.readonly) add("make the root filesystem read-only", "remount", "/", Linux.MS_RDONLY);

        if (spec.hostname != null && !spec.hostname.isEmpty()) {
            if (!hasNamespace("uts")) throw new ContainerException("a hostname needs a uts namespace");
            add("set hostname " + spec.hostname, "sethostname", spec.hostname);
        }
        if (hasNamespace("network") && !(userns && !ownNetns())) add("bring up the loopback interface", "lo-up");
        // process.terminal: a PTY of the container's own devpts (the monitor or the executor holds the master)
        if (spec.process.terminal) {
            terminal = new Terminal(0, 0, "");
            terminalStep();
        }

        process(spec.process, cwd);
    }

    /** The rootfs: the image's overlay, or a prepared directory (runc's bundle) bound on itself as a mount point for pivot_root. */
    private void rootfsMount() {
        if (rootfs.layersLowestFirst().isEmpty()) {
            add("bind the rootfs " + rootfs.rootfs() + " on itself", "mount-host", rootfs.rootfs().toString(),
                    rootfs.rootfs().toString(), "", Linux.MS_BIND | Linux.MS_REC, "");
        } else {
            overlay();
        }
    }

    /** True when the container's network namespace is made by the clone (so it belongs to the container's user namespace). */
    private boolean ownNetns() {
        for (RuntimeSpec.Namespace n : spec.linux.namespaces) {
            if (n.type.equals("network")) return n.path == null || n.path.isEmpty();
        }
        return false;
    }

    /**
     * With a user namespace, what root on the host must do before the clone (the container's root is
     * then an unprivileged uid on the host, with capabilities only over its own namespaces): the maps;
     * the rootfs, mounted in a mount namespace of the executor's own (the container's is a copy of it,
     * so nothing is mounted on the host and the overlay keeps the host's rights: trusted xattrs, layers
     * owned by uid 0); bind sources opened as detached mounts (their host paths may be closed to the
     * mapped uid); sysfs of a network namespace the engine made; the loopback of that namespace; the
     * cgroups the parent puts the child in.
     */
    private void beforeUserNamespace() {
        String uid = idMap("uidMappings", spec.linux.uidMappings), gid = idMap("gidMappings", spec.linux.gidMappings);
        add("map container ids (uid " + uid.trim().replace('\n', ';') + ", gid " + gid.trim().replace('\n', ';') + ")", "userns", uid, gid);
        add("create a mount namespace for the rootfs", "unshare", Linux.CLONE_NEWNS);
        add("make mounts private", "mount-host", "", "/", "", Linux.MS_REC | Linux.MS_PRIVATE, "");
        rootfsMount();
        add("enter the rootfs " + rootfs.rootfs(), "chdir-host", rootfs.rootfs().toString());
        if (startFifo != null) add("open the start fifo " + startFifo, "open-start", startFifo.toString());
        for (RuntimeSpec.Mount m : spec.mounts) {
            Parsed p = parse(m);
            if ((p.flags & Linux.MS_BIND) != 0) {
                String source = bindSource(m);
                detached.put(m, steps.size());
                add("open bind source " + source, "open-tree", source, (p.flags & Linux.MS_REC) != 0 ? 1 : 0, p.flags & BIND_ATTRS);
            } else if ("cgroup".equals(m.type) && !hasNamespace("cgroup")) {
                // no cgroup namespace (podman's default on v1): a cgroup mount needs one the container owns,
                // so the container's own cgroup directories are bound instead (as runc does)
                List<Object[]> binds = new ArrayList<>();
                for (Map.Entry<String, Path> b : cgroupSources().entrySet()) {
                    binds.add(new Object[] {b.getKey(), steps.size()});
                    add("open cgroup " + b.getValue(), "open-tree", b.getValue().toString(), 0,
                            (p.flags & BIND_ATTRS) | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC);
                }
                cgroupDetached.put(m, binds);
            } else if ("sysfs".equals(m.type) && !ownNetns()) {
                // sysfs shows the mounter's network namespace: the container's root has no rights over the engine's
                detached.put(m, steps.size());
                add("mount sysfs for " + clean(m.destination), "open-fs", "sysfs", p.flags & BIND_ATTRS);
            }
        }
        if (hasNamespace("network") && !ownNetns()) {
            add("bring up the loopback interface", "lo-up");
            sysctls(true);
        }
        for (Path dir : cgroupJoinDirs) add("put the container into cgroup " + dir, "child-cgroup", dir.toString());
    }

    /**
     * linux.sysctl: written under /proc/sys by the container's first process after pivot_root (its own /proc,
     * before /proc/sys is made read-only), or, for net.* keys of a network namespace the engine made when the
     * container has a user namespace (its root has no rights there), by the executor's parent before the clone.
     */
    private void sysctls(boolean parent) {
        if (spec.linux.sysctl == null) return;
        boolean netByParent = userns && hasNamespace("network") && !ownNetns();
        for (Map.Entry<String, String> e : new TreeMap<>(spec.linux.sysctl).entrySet()) {
            String key = e.getKey();
            if (key == null || !key.matches("[A-Za-z0-9_]+([./][A-Za-z0-9_-]+)*")) throw new ContainerException("invalid sysctl name '" + key + "'");
            if (e.getValue() == null) throw new ContainerException("sysctl " + key + ": no value");
            boolean net = key.startsWith("net.") || key.startsWith("net/");
            if ((net && netByParent) != parent) continue;
            add("set sysctl " + key + "=" + e.getValue(), "sysctl", "/proc/sys/" + key.replace('.', '/'), e.getValue());
        }
    }

    /**
     * The container's cgroup directory per hierarchy name below /sys/fs/cgroup ("" for a cgroup2-only host,
     * where it is the whole of /sys/fs/cgroup); hierarchies the container has no directory in are left out.
     */
    private Map<String, Path> cgroupSources() {
        Map<String, Path> out = new java.util.LinkedHashMap<>();
        if (cloneInto != null && hostCgroupMounts.stream().noneMatch(m -> m.fsType().equals("cgroup"))) {
            out.put("", cloneInto);
            return out;
        }
        for (CgroupMounts.Mount m : hostCgroupMounts) {
            Path mp = m.mountPoint();
            if (mp.getParent() == null || !mp.getParent().equals(CgroupMounts.DEFAULT_ROOT)) continue;
            List<Path> mine = new ArrayList<>(cgroupJoinDirs);
            if (cloneInto != null) mine.add(cloneInto);
            for (Path d : mine) {
                if (d.startsWith(mp)) {
                    out.put(mp.getFileName().toString(), d);
                    break;
                }
            }
        }
        return out;
    }

    /** MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC have the values of MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC. */
    private static final long BIND_ATTRS = Linux.MS_RDONLY | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC;

    /** An OCI id mapping as /proc/PID/uid_map takes it: "CONTAINER HOST SIZE" lines. */
    static String idMap(String what, List<RuntimeSpec.IdMapping> maps) {
        if (maps == null || maps.isEmpty()) throw new ContainerException("a user namespace needs linux." + what);
        if (maps.size() > 340) throw new ContainerException("linux." + what + ": at most 340 ranges");
        StringBuilder b = new StringBuilder();
        for (RuntimeSpec.IdMapping m : maps) {
            if (m.size < 1 || m.containerID < 0 || m.hostID < 0 || m.containerID + m.size > 0xffff_ffffL || m.hostID + m.size > 0xffff_ffffL) {
                throw new ContainerException("linux." + what + ": invalid range " + m.containerID + " " + m.hostID + " " + m.size);
            }
            b.append(m.containerID).append(' ').append(m.hostID).append(' ').append(m.size).append('\n');
        }
        return b.toString();
    }

    /**
     * The steps that turn the (cloned) process into the container's process: rlimits, capabilities,
     * seccomp, user, no_new_privs, fds, working directory, exec. Shared by run and exec.
     */
    private void process(RuntimeSpec.Process p, String cwd) {
        if (p.terminal) add("make the terminal on stdin the controlling terminal", "console");
        for (RuntimeSpec.Rlimit r : p.rlimits) {
            add("set " + r.type + " " + r.soft + ":" + r.hard, "rlimit", r.type, Long.toUnsignedString(r.soft), Long.toUnsignedString(r.hard));
        }
        RuntimeSpec.Capabilities caps = p.capabilities == null ? new RuntimeSpec.Capabilities() : p.capabilities;
        if (caps.ambient != null && !caps.ambient.isEmpty()) throw new ContainerException("ambient capabilities are not supported yet");
        add("drop capabilities from the bounding set", "bounding", hex(capMask(caps.bounding)));
        String seccomp = spec.linux.seccomp == null ? null : SeccompCompiler.compile(spec.linux.seccomp, SeccompCompiler.builtInTable());
        String seccompWhat = "install the seccomp filter";
        // without no_new_privs the filter needs CAP_SYS_ADMIN: install it while the process still has it
        if (seccomp != null && !p.noNewPrivileges) add(seccompWhat, "seccomp", seccomp);
        List<String> gids = new ArrayList<>();
        if (p.user.additionalGids != null) for (Long g : p.user.additionalGids) gids.add(Long.toString(g));
        add("set supplementary groups [" + String.join(",", gids) + "]", "setgroups", String.join(",", gids));
        add("set gid " + p.user.gid, "setgid", p.user.gid);
        add("set uid " + p.user.uid, "setuid", p.user.uid);
        add("set capabilities", "capset", hex(capMask(caps.effective)), hex(capMask(caps.permitted)), hex(capMask(caps.inheritable)));
        if (p.noNewPrivileges) add("set no_new_privs", "no-new-privs");
        add("set umask 0022", "umask", "18");
        add("close inherited file descriptors", "close-fds");
        add("chdir to " + cwd, "chdir", cwd);
        if (seccomp != null && p.noNewPrivileges) add(seccompWhat, "seccomp", seccomp);
        if (startFifo != null) add("wait for start", "wait-start");

        if (p.args == null || p.args.isEmpty()) throw new ContainerException("no command to run");
        List<Object> exec = new ArrayList<>();
        exec.add(p.args.size());
        exec.addAll(p.args);
        exec.addAll(p.env);
        add("exec '" + p.args.get(0) + "'", "exec", exec.toArray());
    }

    private static String hex(long mask) { return "0x" + Long.toHexString(mask); }

    static long capMask(List<String> caps) {
        long mask = 0;
        if (caps == null) return 0;
        for (String c : caps) {
            String name = c.startsWith("CAP_") ? c : "CAP_" + c;
            int n = Linux.CAPS.indexOf(name.toUpperCase());
            if (n < 0) throw new ContainerException("unknown capability '" + c + "'");
            mask |= 1L << n;
        }
        return mask;
    }

    /** Absolute, normalised container path; ".." is refused (the executor refuses it too). */
    static String clean(String path) {
        if (path == null || !path.startsWith("/")) throw new ContainerException("container path '" + path + "' is not absolute");
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) throw new ContainerException("container path '" + path + "' contains '..'");
            parts.add(c);
        }
        return "/" + String.join("/", parts);
    }

    private void overlay() {
        List<Path> layers = rootfs.layersLowestFirst();
        if (layers.isEmpty()) throw new ContainerException("image has no layers");
        Path base = layers.get(0).toAbsolutePath().normalize().getParent();
        for (Path l : layers) {
            Path a = l.toAbsolutePath().normalize();
            while (base != null && !a.startsWith(base)) base = base.getParent();
        }
        if (base == null) base = Path.of("/");
        List<String> lower = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            String rel = base.relativize(layers.get(i).toAbsolutePath().normalize()).toString();
            lower.add(overlayPath(rel.isEmpty() ? "." : rel));
        }
        String data = "lowerdir=" + String.join(":", lower)
                + ",upperdir=" + overlayPath(rootfs.upper().toAbsolutePath().toString())
                + ",workdir=" + overlayPath(rootfs.work().toAbsolutePath().toString());
        if (data.length() > MAX_MOUNT_DATA) {
            throw new ContainerException("image has too many layers for one overlay mount (" + layers.size()
                    + " layers, " + data.length() + " bytes of mount options, at most " + MAX_MOUNT_DATA + ")");
        }
        if (userns && rootfs.idmapLayers()) {
            for (Path l : layers) add("show layer " + l + " through the user namespace's maps", "idmap", l.toAbsolutePath().normalize().toString());
        }
        add("enter the layer directory " + base, "chdir-host", base.toString());
        add("mount overlay rootfs on " + rootfs.rootfs(), "mount-host", "overlay", rootfs.rootfs().toString(), "overlay", 0, data);
    }

    private static String overlayPath(String p) {
        if (p.contains(",") || p.contains(":") || p.contains("\\")) {
            throw new ContainerException("path '" + p + "' cannot be used in an overlay mount (contains ',', ':' or '\\')");
        }
        return p;
    }

    /** A mount's options: flags, propagation and the data string. */
    private record Parsed(long flags, long propagation, List<String> data) {}

    private static Parsed parse(RuntimeSpec.Mount m) {
        long flags = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        if (m.options != null) {
            for (String o : m.options) {
                Linux.Flag f = Linux.MOUNT_FLAGS.get(o);
                if (f != null) {
                    flags = f.clear() ? flags & ~f.flag() : flags | f.flag();
                } else if (Linux.PROPAGATION.containsKey(o)) {
                    propagation |= Linux.PROPAGATION.get(o);
                } else if (RUNTIME_ONLY_OPTIONS.contains(o)) {
                    // options other runtimes (crun) read themselves, never mount data
                } else {
                    data.add(o);
                }
            }
        }
        if ("bind".equals(m.type)) flags |= Linux.MS_BIND;
        return new Parsed(flags, propagation, data);
    }

    private static String bindSource(RuntimeSpec.Mount m) {
        String source = m.source == null ? "" : m.source;
        if (!source.startsWith("/")) throw new ContainerException("bind mount source '" + source + "' is not an absolute path");
        if (!Files.exists(Path.of(source))) throw new ContainerException("bind mount source " + source + " does not exist");
        return source;
    }

    private void mount(RuntimeSpec.Mount m) {
        String dest = clean(m.destination);
        if (dest.equals("/")) throw new ContainerException("cannot mount over the container's root");
        Parsed parsed = parse(m);
        long flags = parsed.flags();
        long propagation = parsed.propagation();
        List<String> data = parsed.data();
        String type = m.type == null ? "" : m.type;
        Integer made = detached.get(m);
        if (made != null) {
            int create = (flags & Linux.MS_BIND) == 0 || Files.isDirectory(Path.of(m.source)) ? 1 : 2;
            add(((flags & Linux.MS_BIND) != 0 ? "bind " + m.source : "mount " + type) + " on " + dest, "attach", made, dest, create);
            if (propagation != 0) add("set mount propagation of " + dest, "mount", "", dest, "", propagation, "", 0);
            return;
        }
        if (type.equals("cgroup") && (flags & Linux.MS_BIND) == 0) {
            if (cgroupDetached.containsKey(m)) cgroupBinds(dest, flags, cgroupDetached.get(m));
            else cgroupMounts(dest, flags);
            return;
        }
        String description;
        int create;
        String source = m.source == null ? "" : m.source;
        if ((flags & Linux.MS_BIND) != 0) {
            bindSource(m);
            create = Files.isDirectory(Path.of(source)) ? 1 : 2;
            description = "bind " + source + " on " + dest;
            type = "";
        } else {
            create = 1;
            description = "mount " + (type.isEmpty() ? source : type) + " on " + dest;
        }
        String d = String.join(",", data);
        if (d.length() > MAX_MOUNT_DATA) throw new ContainerException(description + ": mount options too long");
        add(description, "mount", source, dest, type, flags, d, create);
        if (propagation != 0) add("set mount propagation of " + dest, "mount", "", dest, "", propagation, "", 0);
    }

    /** /sys/fs/cgroup from the container's own cgroup directories, bound (a tmpfs holding one per v1 hierarchy). */
    private void cgroupBinds(String dest, long flags, List<Object[]> binds) {
        if (binds.size() == 1 && binds.get(0)[0].equals("")) {
            add("bind the container's cgroup on " + dest, "attach", binds.get(0)[1], dest, 1);
            return;
        }
        add("mount tmpfs on " + dest, "mount", "tmpfs", dest, "tmpfs", (flags & ~Linux.MS_RDONLY) | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, "mode=755", 1);
        for (Object[] b : binds) add("bind the container's cgroup on " + dest + "/" + b[0], "attach", b[1], dest + "/" + b[0], 1);
        for (Map.Entry<String, String> l : hostCgroupLinks.entrySet()) {
            String name = l.getKey(), target = l.getValue();
            if (name.contains("/") || target.startsWith("/") || target.contains("..")) continue;
            add("create symlink " + dest + "/" + name, "symlink", target, dest + "/" + name);
        }
        if ((flags & Linux.MS_RDONLY) != 0) add("make " + dest + " read-only", "remount", dest, Linux.MS_RDONLY);
    }

    /** /sys/fs/cgroup as the host has it: cgroup2 alone, or a tmpfs holding each v1 hierarchy (and a cgroup2 one on hybrid hosts). */
    private void cgroupMounts(String dest, long flags) {
        CgroupMounts.Mount unified = null;
        List<CgroupMounts.Mount> below = new ArrayList<>();
        for (CgroupMounts.Mount m : hostCgroupMounts) {
            Path mp = m.mountPoint();
            if (mp.equals(CgroupMounts.DEFAULT_ROOT) && m.fsType().equals("cgroup2")) unified = m;
            else if (mp.getParent() != null && mp.getParent().equals(CgroupMounts.DEFAULT_ROOT)) below.add(m);
        }
        if (unified != null || below.isEmpty()) {
            add("mount cgroup2 on " + dest, "mount", "cgroup", dest, "cgroup2", flags, "", 1);
            return;
        }
        long inner = flags & ~Linux.MS_RDONLY;
        add("mount tmpfs on " + dest, "mount", "tmpfs", dest, "tmpfs", inner | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, "mode=755", 1);
        for (CgroupMounts.Mount m : below) {
            String name = m.mountPoint().getFileName().toString();
            String target = dest + "/" + name;
            if (m.fsType().equals("cgroup2")) {
                add("mount cgroup2 on " + target, "mount", "cgroup2", target, "cgroup2", flags, "", 1);
            } else {
                List<String> opts = new ArrayList<>();
                for (String o : m.superOptions()) {
                    if (o.equals("rw") || o.equals("ro") || o.isEmpty() || o.equals("clone_children") || o.startsWith("release_agent=")) continue;
                    opts.add(o);
                }
                add("mount cgroup (" + String.join(",", opts) + ") on " + target, "mount", "cgroup", target, "cgroup", flags, String.join(",", opts), 1);
            }
        }
        for (Map.Entry<String, String> l : hostCgroupLinks.entrySet()) {
            String name = l.getKey(), target = l.getValue();
            if (name.contains("/") || target.startsWith("/") || target.contains("..")) continue; // only links between hierarchies
            add("create symlink " + dest + "/" + name, "symlink", target, dest + "/" + name);
        }
        if ((flags & Linux.MS_RDONLY) != 0) add("make " + dest + " read-only", "remount", dest, Linux.MS_RDONLY);
    }

    private void devices() {
        for (String[] d : DEFAULT_DEVICES) {
            add("create device " + d[0], "mknod", d[0], Linux.S_IFCHR | 0666, d[1], d[2], 0, 0, d[0]);
        }
        add("create symlink /dev/fd", "symlink", "/proc/self/fd", "/dev/fd");
        add("create symlink /dev/stdin", "symlink", "/proc/self/fd/0", "/dev/stdin");
        add("create symlink /dev/stdout", "symlink", "/proc/self/fd/1", "/dev/stdout");
        add("create symlink /dev/stderr", "symlink", "/proc/self/fd/2", "/dev/stderr");
        boolean pts = spec.mounts.stream().anyMatch(m -> "/dev/pts".equals(clean(m.destination)));
        if (pts) add("create symlink /dev/ptmx", "symlink", "pts/ptmx", "/dev/ptmx");
    }

    private void extraDevice(RuntimeSpec.Device d) {
        String path = clean(d.path);
        int type = switch (d.type == null ? "" : d.type) {
            case "c", "u" -> Linux.S_IFCHR;
            case "b" -> Linux.S_IFBLK;
            default -> throw new ContainerException("device " + path + ": unsupported type '" + d.type + "'");
        };
        int mode = d.fileMode == null ? 0666 : d.fileMode & 07777;
        add("create device " + path, "mknod", path, type | mode, d.major, d.minor,
                d.uid == null ? 0 : d.uid, d.gid == null ? 0 : d.gid, path);
    }
}

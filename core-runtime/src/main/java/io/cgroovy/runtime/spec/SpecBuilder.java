package io.cgroovy.runtime.spec;

import io.cgroovy.image.ImageConfig;
import io.cgroovy.image.Snapshot;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerSettings;
import io.cgroovy.runtime.Security;
import io.cgroovy.runtime.plan.Linux;
import io.cgroovy.runtime.cgroup.DeviceRule;
import io.cgroovy.runtime.cgroup.Resources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the OCI runtime spec of one container from its image snapshot and the user's settings,
 * with the defaults Docker and runc give (mounts, masked and read-only paths, 14 capabilities,
 * no_new_privs, RLIMIT_NOFILE 1024:1024, a device cgroup that allows the standard nodes).
 */
public final class SpecBuilder {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Docker's default capabilities. */
    public static final List<String> DEFAULT_CAPS = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    public static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Docker's default seccomp profile for a container with Docker's default capabilities. */
    public static RuntimeSpec.Seccomp defaultSeccomp() {
        return SeccompProfile.dockerDefault().resolve(DEFAULT_CAPS);
    }

    /** The parent of every container's cgroup as named in config.json's cgroupsPath. */
    public static final String CGROUP_PARENT = "/cgroovy";

    private SpecBuilder() {}

    /**
     * @param id       the container id (64 hex); the default hostname is its first 12 characters
     * @param image    the resolved image
     * @param s        the user's settings
     * @param rootView reads /etc/passwd and /etc/group of the image to resolve user names
     */
    public static RuntimeSpec build(String id, Snapshot image, ContainerSettings s, RootfsView rootView) {
        ImageConfig.Runtime ic = image.config() == null || image.config().config == null
                ? new ImageConfig.Runtime() : image.config().config;
        RuntimeSpec spec = new RuntimeSpec();

        // process.args: Entrypoint + (command or Cmd); an entrypoint given replaces the image's and drops its Cmd (Docker)
        List<String> args = new ArrayList<>();
        if (s.entrypoint() != null) args.addAll(s.entrypoint());
        else if (ic.entrypoint != null) args.addAll(ic.entrypoint);
        if (!s.command().isEmpty()) args.addAll(s.command());
        else if (ic.cmd != null && s.entrypoint() == null) args.addAll(ic.cmd);
        if (args.isEmpty()) {
            throw new ContainerException("no command to run: image " + image.reference() + " has no Entrypoint or Cmd and none was given");
        }
        if (args.get(0).isEmpty()) throw new ContainerException("empty command name");
        for (String a : args) checkNoNul("command argument", a);
        spec.process.args = args;

        // hostname
        String hostname = s.hostname() != null && !s.hostname().isBlank() ? s.hostname() : id.substring(0, 12);
        if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})?")) {
            throw new ContainerException("invalid hostname '" + hostname + "' (letters, digits, '.', '-', at most 64 characters)");
        }
        spec.hostname = hostname;

        // env: image Env, then user env (user wins), PATH default, HOSTNAME
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        if (ic.env != null) {
            for (String e : ic.env) {
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        env.put("HOSTNAME", hostname);
        for (Map.Entry<String, String> e : s.env().entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || k.contains("=")) {
                throw new ContainerException("invalid environment variable name '" + k + "'");
            }
            checkNoNul("environment variable " + k, k + e.getValue());
            env.put(k, e.getValue() == null ? "" : e.getValue());
        }

        // cwd
        String cwd = s.workdir() != null && !s.workdir().isBlank() ? s.workdir()
                : ic.workingDir != null && !ic.workingDir.isBlank() ? ic.workingDir : "/";
        if (!cwd.startsWith("/")) throw new ContainerException("working directory '" + cwd + "' is not an absolute path");
        checkNoNul("working directory", cwd);
        spec.process.cwd = cwd;

        // user
        String user = s.user() != null && !s.user().isBlank() ? s.user()
                : ic.user != null && !ic.user.isBlank() ? ic.user : "0";
        UserSpec.Resolved u = UserSpec.resolve(user, rootView);
        spec.process.user.uid = u.uid();
        spec.process.user.gid = u.gid();
        spec.process.user.additionalGids = u.additionalGids().isEmpty() ? null : u.additionalGids();
        env.putIfAbsent("HOME", u.home()); // as runc and Docker: from /etc/passwd unless set
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        spec.process.env = envList;

        // capabilities, rlimits, no_new_privs
        Security sec = s.security();
        List<String> capSet = capabilities(sec);
        RuntimeSpec.Capabilities caps = new RuntimeSpec.Capabilities();
        caps.bounding = new ArrayList<>(capSet);
        caps.effective = new ArrayList<>(capSet);
        caps.permitted = new ArrayList<>(capSet);
        spec.process.capabilities = caps;
        spec.process.rlimits.add(new RuntimeSpec.Rlimit("RLIMIT_NOFILE", 1024, 1024));
        for (Security.Ulimit ul : sec.ulimits()) {
            spec.process.rlimits.removeIf(r -> r.type.equals(ul.rlimit()));
            spec.process.rlimits.add(new RuntimeSpec.Rlimit(ul.rlimit(), ul.soft(), ul.hard()));
        }
        spec.process.noNewPrivileges = true;

        spec.root.path = "rootfs";
        spec.root.readonly = sec.readOnly();
        spec.mounts = defaultMounts();

        RuntimeSpec.Linux linux = spec.linux;
        for (String ns : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
            linux.namespaces.add(new RuntimeSpec.Namespace(ns));
        }
        linux.maskedPaths = new ArrayList<>(MASKED_PATHS);
        linux.readonlyPaths = new ArrayList<>(READONLY_PATHS);
        linux.cgroupsPath = CGROUP_PARENT + "/" + id;
        linux.resources = resources(s.resources());
        linux.seccomp = seccomp(sec, capSet);
        if (sec.userns() != null) {
            linux.namespaces.add(new RuntimeSpec.Namespace("user"));
            long size = sec.userns().size();
            linux.uidMappings = List.of(new RuntimeSpec.IdMapping(0, sec.userns().hostId(), size));
            linux.gidMappings = List.of(new RuntimeSpec.IdMapping(0, sec.userns().hostId(), size));
            if (u.uid() >= size || u.gid() >= size) {
                throw new ContainerException("user " + u.uid() + ":" + u.gid() + " is outside the user namespace (ids 0.." + (size - 1) + ")");
            }
        }
        if (sec.privileged()) privileged(spec);
        hostDevices(spec, sec.devices());
        return spec;
    }

    /** Docker's default set, minus capDrop ("ALL" drops all), plus capAdd ("ALL" adds every capability). */
    static List<String> capabilities(Security sec) {
        if (sec.privileged()) return hostCapabilities();
        java.util.LinkedHashSet<String> set = new java.util.LinkedHashSet<>(DEFAULT_CAPS);
        for (String c : sec.capDrop()) {
            if (c.equalsIgnoreCase("ALL")) set.clear();
            else set.remove(capName(c));
        }
        for (String c : sec.capAdd()) {
            if (c.equalsIgnoreCase("ALL")) set.addAll(hostCapabilities());
            else set.add(capName(c));
        }
        return new ArrayList<>(set);
    }

    /**
     * "All" capabilities: those in the engine's own bounding set (a process cannot give more; on hosts
     * without CAP_SYS_RESOURCE in the bounding set, asking for it would fail the whole container).
     */
    static List<String> hostCapabilities() {
        long bnd = -1L;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) bnd = Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // keep all
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Linux.CAPS.size(); i++) if ((bnd & (1L << i)) != 0) out.add(Linux.CAPS.get(i));
        return out;
    }

    /** "net_admin" / "NET_ADMIN" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; unknown names are a clear error. */
    static String capName(String c) {
        String t = c == null ? "" : c.trim().toUpperCase();
        String n = t.startsWith("CAP_") ? t : "CAP_" + t;
        if (!Linux.CAPS.contains(n)) {
            String hint = Linux.CAPS.stream().filter(k -> k.contains(n.substring(4)) || n.substring(4).contains(k.substring(4)))
                    .findFirst().map(k -> " (did you mean " + k.substring(4) + "?)").orElse("");
            throw new ContainerException("unknown capability '" + c + "'" + hint);
        }
        return n;
    }

    /** The filter: none for unconfined or privileged, a profile file, or Docker's default profile for these capabilities. */
    static RuntimeSpec.Seccomp seccomp(Security sec, List<String> caps) {
        if (sec.privileged() || "unconfined".equals(sec.seccomp())) return null;
        if (sec.seccomp() == null || sec.seccomp().isBlank() || sec.seccomp().equals("default")) {
            return SeccompProfile.dockerDefault().resolve(caps);
        }
        return SeccompProfile.read(java.nio.file.Path.of(sec.seccomp())).resolve(caps);
    }

    /** --privileged: no masked or read-only paths, /sys and cgroups writable, every device allowed. */
    static void privileged(RuntimeSpec spec) {
        spec.linux.maskedPaths = new ArrayList<>();
        spec.linux.readonlyPaths = new ArrayList<>();
        for (RuntimeSpec.Mount m : spec.mounts) {
            if (m.destination.equals("/sys") || m.destination.equals("/sys/fs/cgroup")) {
                List<String> o = new ArrayList<>(m.options);
                o.remove("ro");
                o.add("rw");
                m.options = o;
            }
        }
        spec.linux.resources.devices = new ArrayList<>(List.of(new RuntimeSpec.DeviceRule(true, null, null, null, "rwm")));
    }

    static void checkNoNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) throw new ContainerException(what + " contains a NUL byte");
    }

    /** The mounts Docker and runc give every container. */
    public static List<RuntimeSpec.Mount> defaultMounts() {
        List<RuntimeSpec.Mount> m = new ArrayList<>();
        m.add(new RuntimeSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        m.add(new RuntimeSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        m.add(new RuntimeSpec.Mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        m.add(new RuntimeSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        m.add(new RuntimeSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        m.add(new RuntimeSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        m.add(new RuntimeSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        return m;
    }

    /**
     * --device: each host device is made in the container with the host's type and numbers (owned by root, the
     * host's permission bits) and allowed in the device cgroup.
     */
    static void hostDevices(RuntimeSpec spec, List<Security.Device> devices) {
        for (Security.Device d : devices) {
            java.nio.file.Path host = java.nio.file.Path.of(d.hostPath());
            int mode;
            long rdev;
            try {
                mode = (Integer) java.nio.file.Files.getAttribute(host, "unix:mode");
                rdev = (Long) java.nio.file.Files.getAttribute(host, "unix:rdev");
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ContainerException("device " + d.hostPath() + ": no such device on the host");
            } catch (java.io.IOException | UnsupportedOperationException e) {
                throw new ContainerException("device " + d.hostPath() + ": " + e.getMessage());
            }
            String type = switch (mode & 0170000) {
                case 0020000 -> "c";
                case 0060000 -> "b";
                default -> throw new ContainerException("device " + d.hostPath() + ": not a character or block device");
            };
            // glibc's major()/minor() of a dev_t
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL & 0xffffffffL);
            RuntimeSpec.Device dev = new RuntimeSpec.Device();
            dev.path = d.containerPath();
            dev.type = type;
            dev.major = major;
            dev.minor = minor;
            dev.fileMode = mode & 0777;
            dev.uid = 0L;
            dev.gid = 0L;
            if (spec.linux.devices == null) spec.linux.devices = new ArrayList<>();
            spec.linux.devices.add(dev);
            spec.linux.resources.devices.add(new RuntimeSpec.DeviceRule(true, type, major, minor, d.access()));
        }
    }

    /** The device cgroup rules of a spec for the engine's cgroups (an absent type, number or access means all). */
    public static List<DeviceRule> deviceRules(RuntimeSpec spec) {
        if (spec.linux == null || spec.linux.resources == null || spec.linux.resources.devices == null) return new ArrayList<>();
        return deviceRules(spec.linux.resources.devices);
    }

    /** The devices Docker's rules allow (runc allows these after a spec's own rules, whatever they say). */
    public static List<DeviceRule> defaultAllowedDevices() {
        return deviceRules(resources(null).devices.stream().filter(r -> r.allow).toList());
    }

    private static List<DeviceRule> deviceRules(List<RuntimeSpec.DeviceRule> rules) {
        List<DeviceRule> out = new ArrayList<>();
        for (RuntimeSpec.DeviceRule r : rules) {
            char type = r.type == null || r.type.isEmpty() ? 'a' : r.type.charAt(0);
            out.add(new DeviceRule(r.allow, type, r.major == null ? DeviceRule.ANY : r.major, r.minor == null ? DeviceRule.ANY : r.minor,
                    r.access == null || r.access.isEmpty() ? "rwm" : r.access));
        }
        return out;
    }

    /**
     * linux.resources from the user's limits, plus Docker's default device cgroup rules: nothing but mknod of
     * any device and null, zero, full, random, urandom, tty, console, ptmx and the pseudo-terminals.
     */
    public static RuntimeSpec.Resources resources(Resources r) {
        RuntimeSpec.Resources out = new RuntimeSpec.Resources();
        List<RuntimeSpec.DeviceRule> dev = new ArrayList<>();
        dev.add(new RuntimeSpec.DeviceRule(false, null, null, null, "rwm"));
        dev.add(new RuntimeSpec.DeviceRule(true, "c", null, null, "m"));
        dev.add(new RuntimeSpec.DeviceRule(true, "b", null, null, "m"));
        for (long[] mm : new long[][]{{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}}) {
            dev.add(new RuntimeSpec.DeviceRule(true, "c", mm[0], mm[1], "rwm"));
        }
        dev.add(new RuntimeSpec.DeviceRule(true, "c", 136L, null, "rwm"));
        out.devices = dev;
        if (r == null) return out;
        if (r.memoryBytes() != null || r.memorySwapBytes() != null) {
            out.memory = new RuntimeSpec.Memory();
            out.memory.limit = r.memoryBytes();
            out.memory.swap = r.memorySwapBytes();
        }
        if (r.cpus() != null || r.cpuShares() != null || r.cpusetCpus() != null || r.cpusetMems() != null) {
            out.cpu = new RuntimeSpec.Cpu();
            out.cpu.cpus = r.cpusetCpus();
            out.cpu.mems = r.cpusetMems();
            if (r.cpus() != null) {
                out.cpu.period = 100_000L;
                out.cpu.quota = Math.round(r.cpus() * 100_000);
            }
            out.cpu.shares = r.cpuShares();
        }
        if (r.pidsMax() != null) {
            out.pids = new RuntimeSpec.Pids();
            out.pids.limit = r.pidsMax();
        }
        if (r.blkioWeight() != null || !r.ioLimits().isEmpty()) {
            out.blockIO = new RuntimeSpec.BlockIO();
            out.blockIO.weight = r.blkioWeight();
            for (Resources.IoLimit l : r.ioLimits()) {
                long[] mm = io.cgroovy.runtime.cgroup.Cgroups.deviceNumbers(l.device());
                RuntimeSpec.ThrottleDevice t = new RuntimeSpec.ThrottleDevice(mm[0], mm[1], l.value());
                switch (l.kind()) {
                    case "readBps" -> out.blockIO.throttleReadBpsDevice = add(out.blockIO.throttleReadBpsDevice, t);
                    case "writeBps" -> out.blockIO.throttleWriteBpsDevice = add(out.blockIO.throttleWriteBpsDevice, t);
                    case "readIops" -> out.blockIO.throttleReadIOPSDevice = add(out.blockIO.throttleReadIOPSDevice, t);
                    default -> out.blockIO.throttleWriteIOPSDevice = add(out.blockIO.throttleWriteIOPSDevice, t);
                }
            }
        }
        return out;
    }

    private static List<RuntimeSpec.ThrottleDevice> add(List<RuntimeSpec.ThrottleDevice> l, RuntimeSpec.ThrottleDevice t) {
        List<RuntimeSpec.ThrottleDevice> out = l == null ? new ArrayList<>() : l;
        out.add(t);
        return out;
    }

    /** Fails with a one-line message when a limit cannot work (Docker's minimum memory is 6 MiB). */
    public static void validate(Resources r) {
        if (r == null) return;
        if (r.memoryBytes() != null && r.memoryBytes() < 6L * 1024 * 1024) {
            throw new ContainerException("memory limit " + r.memoryBytes() + " bytes is below the minimum of 6m");
        }
        if (r.memorySwapBytes() != null && r.memorySwapBytes() != -1) {
            if (r.memoryBytes() == null) throw new ContainerException("memory-swap limit needs a memory limit");
            if (r.memorySwapBytes() < r.memoryBytes()) {
                throw new ContainerException("memory-swap limit " + r.memorySwapBytes() + " is below the memory limit " + r.memoryBytes());
            }
        }
        if (r.cpus() != null && !(r.cpus() > 0) ) throw new ContainerException("cpus must be > 0, not " + r.cpus());
        if (r.cpus() != null && r.cpus() * 100_000 < 1000) throw new ContainerException("cpus " + r.cpus() + " is below the minimum of 0.01");
        if (r.cpuShares() != null && (r.cpuShares() < 2 || r.cpuShares() > 262144)) {
            throw new ContainerException("cpu shares must be 2..262144, not " + r.cpuShares());
        }
        if (r.pidsMax() != null && r.pidsMax() <= 0) throw new ContainerException("pids limit must be > 0, not " + r.pidsMax());
    }
}

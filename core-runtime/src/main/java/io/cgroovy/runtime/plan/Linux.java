package io.cgroovy.runtime.plan;

import java.util.List;
import java.util.Map;

/** Kernel constants the plan compiler needs (values from the Linux UAPI headers; the same on all architectures cgroovy builds for). */
public final class Linux {
    private Linux() {}

    public static final long CLONE_NEWNS = 0x00020000L;
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_MANDLOCK = 64;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_UNBINDABLE = 1L << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1L << 21;
    public static final long MS_STRICTATIME = 1L << 24;

    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    /** Capability numbers (linux/capability.h). */
    public static final List<String> CAPS = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** Mount options as runc reads them: option → (clear?, flag). */
    record Flag(boolean clear, long flag) {}

    static final Map<String, Flag> MOUNT_FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("ro", new Flag(false, MS_RDONLY)), Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)), Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("nodev", new Flag(false, MS_NODEV)), Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)), Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)), Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)), Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)), Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)), Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)), Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)), Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("bind", new Flag(false, MS_BIND)), Map.entry("rbind", new Flag(false, MS_BIND | MS_REC)));

    static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);
}

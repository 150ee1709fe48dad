package io.cgroovy.runtime.cgroup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.cgroovy.runtime.ContainerException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** bpf(2) through JNA: load a cgroup device program and attach it to a cgroup v2 directory. */
final class Bpf {
    private Bpf() {}

    interface C extends Library {
        C LIB = Native.load("c", C.class);

        long syscall(long number, Object... args) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int close(int fd);

        String strerror(int errno);
    }

    private static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    /** Programs of the parent cgroups run too, and more can be attached below (what runc and systemd use). */
    private static final int BPF_F_ALLOW_MULTI = 2;
    private static final int O_RDONLY_CLOEXEC = 02000000;
    /** Larger than the fields used; the kernel accepts a longer union whose tail is zero. */
    private static final int ATTR_SIZE = 128;

    /** SYS_bpf of this machine. */
    private static long sysBpf() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64" -> 280;
            default -> throw new ContainerException("device cgroup: bpf(2) on " + arch + " is not supported");
        };
    }

    static void attachDeviceProgram(Path cgroupDir, byte[] insns) {
        int prog = load(insns);
        int dir = -1;
        try {
            dir = C.LIB.open(cgroupDir.toString(), O_RDONLY_CLOEXEC);
            Memory attr = new Memory(ATTR_SIZE);
            attr.clear();
            attr.setInt(0, dir);                 // target_fd
            attr.setInt(4, prog);                // attach_bpf_fd
            attr.setInt(8, BPF_CGROUP_DEVICE);   // attach_type
            attr.setInt(12, BPF_F_ALLOW_MULTI);  // attach_flags
            C.LIB.syscall(sysBpf(), BPF_PROG_ATTACH, attr, ATTR_SIZE);
        } catch (LastErrorException e) {
            throw new ContainerException("device cgroup: cannot attach the device filter to " + cgroupDir + ": " + text(e), e);
        } finally {
            if (dir >= 0) C.LIB.close(dir);
            C.LIB.close(prog); // the cgroup holds the program now
        }
    }

    private static int load(byte[] insns) {
        Memory code = new Memory(insns.length);
        code.write(0, insns, 0, insns.length);
        Memory license = new Memory(8);
        license.setString(0, "Apache", "US-ASCII");
        try {
            return (int) C.LIB.syscall(sysBpf(), BPF_PROG_LOAD, loadAttr(code, insns.length / 8, license, null), ATTR_SIZE);
        } catch (LastErrorException first) {
            // again with the verifier's log, for a message that says why
            Memory log = new Memory(65536);
            log.clear();
            try {
                int fd = (int) C.LIB.syscall(sysBpf(), BPF_PROG_LOAD, loadAttr(code, insns.length / 8, license, log), ATTR_SIZE);
                C.LIB.close(fd);
            } catch (LastErrorException ignored) {
                // the log says why
            }
            // the verifier's reason is its last line before the statistics ("processed N insns ...")
            String last = "";
            for (String line : new String(log.getByteArray(0, 65536), StandardCharsets.UTF_8).replace("\0", "").split("\n")) {
                if (!line.isBlank() && !line.startsWith("processed ")) last = " (" + line.strip() + ")";
            }
            throw new ContainerException("device cgroup: the kernel refused the device filter program: " + text(first) + last, first);
        }
    }

    private static Memory loadAttr(Memory code, int count, Memory license, Memory log) {
        Memory attr = new Memory(ATTR_SIZE);
        attr.clear();
        attr.setInt(0, BPF_PROG_TYPE_CGROUP_DEVICE);
        attr.setInt(4, count);
        attr.setPointer(8, code);
        attr.setPointer(16, license);
        if (log != null) {
            attr.setInt(24, 1);                 // log_level
            attr.setInt(28, (int) log.size());  // log_size
            attr.setPointer(32, log);
        }
        return attr;
    }

    private static String text(LastErrorException e) {
        return C.LIB.strerror(e.getErrorCode());
    }
}

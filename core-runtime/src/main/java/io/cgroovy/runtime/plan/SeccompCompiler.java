package io.cgroovy.runtime.plan;

import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.spec.RuntimeSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles an OCI {@code linux.seccomp} filter into classic BPF for {@code SECCOMP_MODE_FILTER}.
 * Syscall numbers come from the table the build generated from the C library headers
 * ({@code io/cgroovy/runtime/native/syscalls.txt}), so they are those of the architecture the
 * executor was built for. Supported: actions ALLOW, ERRNO, KILL(_PROCESS/_THREAD); argument
 * operators EQ, NE, MASKED_EQ (all of a rule's conditions must hold). Calls from another
 * architecture (i386 via int 0x80, x32) get EPERM.
 */
public final class SeccompCompiler {
    /** A syscall table: the audit architecture and name → number. */
    public record Table(long auditArch, boolean x86_64, Map<String, Integer> numbers) {}

    static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, AND_K = 0x54, RET_K = 0x06;
    static final long RET_KILL_PROCESS = 0x80000000L, RET_KILL_THREAD = 0, RET_ERRNO = 0x00050000L, RET_ALLOW = 0x7fff0000L;
    static final long AUDIT_ARCH_X86_64 = 0xC000003EL, AUDIT_ARCH_AARCH64 = 0xC00000B7L;
    static final long X32_SYSCALL_BIT = 0x40000000L;
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    private static volatile Table builtIn;

    private SeccompCompiler() {}

    /** The table shipped with the executor. */
    public static Table builtInTable() {
        if (builtIn == null) {
            try (InputStream in = SeccompCompiler.class.getResourceAsStream("/io/cgroovy/runtime/native/syscalls.txt")) {
                if (in == null) throw new ContainerException("seccomp: the syscall table is missing from the build");
                builtIn = parseTable(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ContainerException("seccomp: cannot read the syscall table: " + e.getMessage(), e);
            }
        }
        return builtIn;
    }

    /** "arch &lt;gcc target triple&gt;" then "&lt;name&gt; &lt;number&gt;" lines. */
    public static Table parseTable(String text) {
        Map<String, Integer> nrs = new LinkedHashMap<>();
        String arch = null;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 2) continue;
            if (f[0].equals("arch")) arch = f[1];
            else nrs.put(f[0], Integer.parseInt(f[1]));
        }
        if (arch == null) throw new ContainerException("seccomp: the syscall table names no architecture");
        if (arch.startsWith("x86_64")) return new Table(AUDIT_ARCH_X86_64, true, nrs);
        if (arch.startsWith("aarch64")) return new Table(AUDIT_ARCH_AARCH64, false, nrs);
        throw new ContainerException("seccomp: architecture " + arch + " is not supported");
    }

    /** One BPF instruction. */
    record Insn(int code, int jt, int jf, long k) {}

    static long action(String action, Long errnoRet) {
        return switch (action) {
            case "SCMP_ACT_ALLOW" -> RET_ALLOW;
            case "SCMP_ACT_ERRNO" -> RET_ERRNO | ((errnoRet == null ? 1 : errnoRet) & 0xffff);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
            default -> throw new ContainerException("seccomp: action " + action + " is not supported");
        };
    }

    /** The filter as BPF instructions. */
    static List<Insn> program(RuntimeSpec.Seccomp sc, Table table) {
        List<Insn> p = new ArrayList<>();
        long eperm = RET_ERRNO | 1;
        p.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
        p.add(new Insn(JEQ_K, 1, 0, table.auditArch()));
        p.add(new Insn(RET_K, 0, 0, eperm));
        p.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
        if (table.x86_64()) {
            p.add(new Insn(JGE_K, 0, 1, X32_SYSCALL_BIT));
            p.add(new Insn(RET_K, 0, 0, eperm));
        }
        if (sc.syscalls != null) {
            for (RuntimeSpec.Syscall rule : sc.syscalls) {
                long ret = action(rule.action, rule.errnoRet);
                for (String name : rule.names) {
                    Integer nr = table.numbers().get(name);
                    if (nr == null) continue; // not a syscall of this architecture
                    p.addAll(block(nr, rule.args == null ? List.of() : rule.args, ret));
                }
            }
        }
        p.add(new Insn(RET_K, 0, 0, action(sc.defaultAction, sc.defaultErrnoRet)));
        if (p.size() > 4096) throw new ContainerException("seccomp: filter too long (" + p.size() + " instructions, at most 4096)");
        return p;
    }

    /**
     * "if nr matches and every condition holds: return ret", leaving the syscall number in A.
     * All failed tests jump to the final "load nr" of the block.
     */
    private static List<Insn> block(int nr, List<RuntimeSpec.SyscallArg> args, long ret) {
        if (args.isEmpty()) return List.of(new Insn(JEQ_K, 0, 1, nr), new Insn(RET_K, 0, 0, ret));
        // body: tests, then ret; each test's "false" jumps to the reload after ret
        List<Object[]> body = new ArrayList<>(); // {code, k, isTest(bool), wantEqual(bool)}
        for (RuntimeSpec.SyscallArg a : args) {
            if (a.index < 0 || a.index > 5) throw new ContainerException("seccomp: argument index " + a.index + " out of range");
            long mask, want;
            boolean equal;
            switch (a.op) {
                case "SCMP_CMP_EQ" -> { mask = -1L; want = a.value; equal = true; }
                case "SCMP_CMP_NE" -> { mask = -1L; want = a.value; equal = false; }
                case "SCMP_CMP_MASKED_EQ" -> { mask = a.value; want = a.valueTwo; equal = true; }
                default -> throw new ContainerException("seccomp: operator " + a.op + " is not supported");
            }
            if (!equal && (mask >>> 32) != 0 && (want >>> 32) != 0 && (int) want != want) {
                throw new ContainerException("seccomp: SCMP_CMP_NE on a 64-bit value is not supported");
            }
            for (int half = 0; half < 2; half++) {
                long m = half == 0 ? mask & 0xffffffffL : mask >>> 32;
                long w = half == 0 ? want & 0xffffffffL : want >>> 32;
                if (m == 0 && w == 0) continue;
                if (!equal && half == 1) continue; // NE compares the low word (values below 2^32)
                body.add(new Object[]{LD_W_ABS, (long) (OFF_ARGS + 8 * a.index + 4 * half), false, false});
                if (m != 0xffffffffL) body.add(new Object[]{AND_K, m, false, false});
                body.add(new Object[]{JEQ_K, w, true, equal});
            }
        }
        List<Insn> out = new ArrayList<>();
        int n = body.size();
        out.add(new Insn(JEQ_K, 0, n + 1, nr)); // skip body and ret, land on the reload
        for (int i = 0; i < n; i++) {
            Object[] b = body.get(i);
            int toReload = n - i; // instructions after this one up to and including ret
            if ((boolean) b[2]) {
                boolean eq = (boolean) b[3];
                out.add(new Insn((int) b[0], eq ? 0 : toReload, eq ? toReload : 0, (long) b[1]));
            } else {
                out.add(new Insn((int) b[0], 0, 0, (long) b[1]));
            }
        }
        out.add(new Insn(RET_K, 0, 0, ret));
        out.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
        for (Insn i : out) {
            if (i.jt() > 255 || i.jf() > 255) throw new ContainerException("seccomp: rule too long");
        }
        return out;
    }

    /** The program as the executor takes it: struct sock_filter (u16 code, u8 jt, u8 jf, u32 k), little-endian, in hex. */
    public static String compile(RuntimeSpec.Seccomp sc, Table table) {
        List<Insn> p = program(sc, table);
        byte[] b = new byte[p.size() * 8];
        for (int i = 0; i < p.size(); i++) {
            Insn x = p.get(i);
            int o = i * 8;
            b[o] = (byte) x.code();
            b[o + 1] = (byte) (x.code() >> 8);
            b[o + 2] = (byte) x.jt();
            b[o + 3] = (byte) x.jf();
            for (int k = 0; k < 4; k++) b[o + 4 + k] = (byte) (x.k() >> (8 * k));
        }
        return HexFormat.of().formatHex(b);
    }
}

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
 * executor was built for. Supported: actions ALLOW, ERRNO, KILL(_PROCESS/_THREAD), TRAP, LOG; argument
 * operators EQ, NE, LT, LE, GT, GE, MASKED_EQ on 64-bit values (all of a rule's conditions must hold). Calls from another
 * architecture (i386 via int 0x80, x32) get EPERM.
 */
public final class SeccompCompiler {
    /** A syscall table: the audit architecture and name → number. */
    public record Table(long auditArch, boolean x86_64, Map<String, Integer> numbers) {}

    static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35, AND_K = 0x54, RET_K = 0x06;
    static final long RET_KILL_PROCESS = 0x80000000L, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000L, RET_ERRNO = 0x00050000L,
            RET_TRACE = 0x7ff00000L, RET_LOG = 0x7ffc0000L, RET_ALLOW = 0x7fff0000L;
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
            case "SCMP_ACT_TRAP" -> RET_TRAP;
            case "SCMP_ACT_LOG" -> RET_LOG;
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

    /** An instruction being laid out; a jump target of {@link #FAIL} means "to the block's final reload". */
    private static final class J {
        final int code;
        int jt, jf;
        final long k;
        J(int code, int jt, int jf, long k) { this.code = code; this.jt = jt; this.jf = jf; this.k = k; }
    }

    private static final int FAIL = -1;

    /**
     * "if nr matches and every condition holds: return ret", leaving the syscall number in A.
     * A failed test jumps to the block's last instruction, which reloads the syscall number.
     * Arguments are 64-bit: each comparison looks at the high and the low word.
     */
    private static List<Insn> block(int nr, List<RuntimeSpec.SyscallArg> args, long ret) {
        if (args.isEmpty()) return List.of(new Insn(JEQ_K, 0, 1, nr), new Insn(RET_K, 0, 0, ret));
        List<J> b = new ArrayList<>();
        b.add(new J(JEQ_K, 0, FAIL, nr));
        for (RuntimeSpec.SyscallArg a : args) {
            if (a.index < 0 || a.index > 5) throw new ContainerException("seccomp: argument index " + a.index + " out of range");
            condition(b, OFF_ARGS + 8 * a.index, a);
        }
        b.add(new J(RET_K, 0, 0, ret));
        b.add(new J(LD_W_ABS, 0, 0, OFF_NR));
        int reload = b.size() - 1;
        List<Insn> out = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            J j = b.get(i);
            int jt = j.jt == FAIL ? reload - i - 1 : j.jt;
            int jf = j.jf == FAIL ? reload - i - 1 : j.jf;
            if (jt > 255 || jf > 255) throw new ContainerException("seccomp: rule too long");
            out.add(new Insn(j.code, jt, jf, j.k));
        }
        return out;
    }

    /** Appends the test of one argument condition: falls through when it holds, jumps to FAIL when not. */
    private static void condition(List<J> b, int off, RuntimeSpec.SyscallArg a) {
        long v = a.value, vhi = v >>> 32, vlo = v & 0xffffffffL;
        int hi = off + 4, lo = off; // little-endian: the low word first
        switch (a.op) {
            case "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ" -> {
                long mask = a.op.equals("SCMP_CMP_EQ") ? -1L : a.value;
                long want = a.op.equals("SCMP_CMP_EQ") ? a.value : a.valueTwo;
                for (int half = 0; half < 2; half++) {
                    long m = half == 0 ? mask & 0xffffffffL : mask >>> 32;
                    long w = half == 0 ? want & 0xffffffffL : want >>> 32;
                    if (m == 0 && w == 0) continue;
                    b.add(new J(LD_W_ABS, 0, 0, half == 0 ? lo : hi));
                    if (m != 0xffffffffL) b.add(new J(AND_K, 0, 0, m));
                    b.add(new J(JEQ_K, 0, FAIL, w));
                }
            }
            case "SCMP_CMP_NE" -> { // holds when either word differs
                b.add(new J(LD_W_ABS, 0, 0, hi));
                b.add(new J(JEQ_K, 0, 2, vhi));
                b.add(new J(LD_W_ABS, 0, 0, lo));
                b.add(new J(JEQ_K, FAIL, 0, vlo));
            }
            case "SCMP_CMP_GT", "SCMP_CMP_GE" -> { // high word above: holds; equal: compare the low word
                b.add(new J(LD_W_ABS, 0, 0, hi));
                b.add(new J(JGT_K, 3, 0, vhi));
                b.add(new J(JEQ_K, 0, FAIL, vhi));
                b.add(new J(LD_W_ABS, 0, 0, lo));
                b.add(new J(a.op.equals("SCMP_CMP_GT") ? JGT_K : JGE_K, 0, FAIL, vlo));
            }
            case "SCMP_CMP_LT", "SCMP_CMP_LE" -> { // high word above: fails; below: holds; equal: compare the low word
                b.add(new J(LD_W_ABS, 0, 0, hi));
                b.add(new J(JGT_K, FAIL, 0, vhi));
                b.add(new J(JEQ_K, 0, 2, vhi));
                b.add(new J(LD_W_ABS, 0, 0, lo));
                b.add(new J(a.op.equals("SCMP_CMP_LT") ? JGE_K : JGT_K, FAIL, 0, vlo));
            }
            default -> throw new ContainerException("seccomp: operator " + a.op + " is not supported");
        }
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

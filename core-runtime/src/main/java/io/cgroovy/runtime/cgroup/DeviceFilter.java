package io.cgroovy.runtime.cgroup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program (cgroup v2 has no devices.allow: the kernel asks
 * the program attached to the cgroup on every open and mknod of a device). The program reads
 * struct bpf_cgroup_dev_ctx {u32 access_type (access << 16 | type); u32 major; u32 minor}, checks
 * the rules from the last to the first, and the first that matches decides (a later rule overrides an
 * earlier one, as with v1's files); when none matches the access is denied. Every instruction is
 * reachable (the verifier refuses a program with dead code): nothing follows a rule that matches all.
 */
public final class DeviceFilter {
    private DeviceFilter() {}

    // eBPF opcodes (linux/bpf.h, linux/bpf_common.h)
    private static final int LDX_MEM_W = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    private static final int ALU32_AND_K = 0x54;  // BPF_ALU | BPF_AND | BPF_K
    private static final int ALU32_RSH_K = 0x74;  // BPF_ALU | BPF_RSH | BPF_K
    private static final int MOV64_X = 0xbf;      // BPF_ALU64 | BPF_MOV | BPF_X
    private static final int MOV64_K = 0xb7;      // BPF_ALU64 | BPF_MOV | BPF_K
    private static final int JNE_K = 0x55;        // BPF_JMP | BPF_JNE | BPF_K
    private static final int EXIT = 0x95;         // BPF_JMP | BPF_EXIT
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2;  // BPF_DEVCG_DEV_*

    /** One instruction: opcode, destination and source registers, offset, immediate. */
    record Insn(int code, int dst, int src, int off, int imm) {}

    /** The program's instructions for these rules. */
    static List<Insn> program(List<DeviceRule> rules) {
        List<Insn> p = new ArrayList<>();
        // r2 = type, r3 = access, r4 = major, r5 = minor (r1 is the context)
        p.add(new Insn(LDX_MEM_W, 2, 1, 0, 0));
        p.add(new Insn(ALU32_AND_K, 2, 0, 0, 0xffff));
        p.add(new Insn(LDX_MEM_W, 3, 1, 0, 0));
        p.add(new Insn(ALU32_RSH_K, 3, 0, 0, 16));
        p.add(new Insn(LDX_MEM_W, 4, 1, 4, 0));
        p.add(new Insn(LDX_MEM_W, 5, 1, 8, 0));
        for (int i = rules.size() - 1; i >= 0; i--) {
            List<Insn> b = block(rules.get(i));
            p.addAll(b);
            // a rule for every device and access decides alone: what follows could never run, and the
            // verifier refuses unreachable instructions
            if (b.size() == 2) return p;
        }
        p.add(new Insn(MOV64_K, 0, 0, 0, 0));
        p.add(new Insn(EXIT, 0, 0, 0, 0));
        return p;
    }

    /** One rule: each check jumps past the block when it fails; the block ends returning the rule's answer. */
    private static List<Insn> block(DeviceRule r) {
        List<int[]> checks = new ArrayList<>(); // {register, value} that must be equal, plus the access check
        if (r.type() != 'a') checks.add(new int[]{2, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR});
        if (r.type() != 'a' && r.major() != DeviceRule.ANY) checks.add(new int[]{4, (int) r.major()});
        if (r.type() != 'a' && r.minor() != DeviceRule.ANY) checks.add(new int[]{5, (int) r.minor()});
        boolean accessCheck = r.accessBits() != 7;
        int length = checks.size() + (accessCheck ? 3 : 0) + 2;
        List<Insn> b = new ArrayList<>();
        for (int[] c : checks) b.add(new Insn(JNE_K, c[0], 0, length - b.size() - 1, c[1]));
        if (accessCheck) {
            // the access asked must be within the rule's: (access & ~allowed) == 0
            b.add(new Insn(MOV64_X, 1, 3, 0, 0));
            b.add(new Insn(ALU32_AND_K, 1, 0, 0, ~r.accessBits() & 7));
            b.add(new Insn(JNE_K, 1, 0, length - b.size() - 1, 0));
        }
        b.add(new Insn(MOV64_K, 0, 0, 0, r.allow() ? 1 : 0));
        b.add(new Insn(EXIT, 0, 0, 0, 0));
        return b;
    }

    /** The instructions as struct bpf_insn, 8 bytes each in the machine's byte order. */
    static byte[] encode(List<Insn> program) {
        ByteBuffer buf = ByteBuffer.allocate(program.size() * 8).order(ByteOrder.nativeOrder());
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (Insn i : program) {
            buf.put((byte) i.code());
            // dst_reg:4 and src_reg:4 are bit fields: dst in the low nibble on little-endian machines
            buf.put((byte) (little ? (i.src() << 4) | i.dst() : (i.dst() << 4) | i.src()));
            buf.putShort((short) i.off());
            buf.putInt(i.imm());
        }
        return buf.array();
    }

    /** Loads the program for {@code rules} and attaches it to the cgroup v2 directory {@code dir}. */
    static void attach(java.nio.file.Path dir, List<DeviceRule> rules) {
        Bpf.attachDeviceProgram(dir, encode(program(rules)));
    }
}

package io.cgroovy.runtime.cgroup

import spock.lang.Specification
import spock.lang.Tag

import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The cgroup v2 device program, run by a small interpreter of the instructions it uses (the kernel runs
 * it in SecuritySpec): its answers must be those of v1's devices.allow/deny for the same rules.
 */
@Tag('kernel-agnostic')
class DeviceFilterSpec extends Specification {
    static final int M = 1, R = 2, W = 4, BLOCK = 1, CHAR = 2

    /** Docker's defaults as SpecBuilder writes them, plus one device given read-only. */
    static final List<DeviceRule> RULES = [
            new DeviceRule(false, 'a' as char, -1, -1, 'rwm'),
            new DeviceRule(true, 'c' as char, -1, -1, 'm'),
            new DeviceRule(true, 'b' as char, -1, -1, 'm'),
            new DeviceRule(true, 'c' as char, 1, 3, 'rwm'),
            new DeviceRule(true, 'c' as char, 136, -1, 'rwm'),
            new DeviceRule(true, 'c' as char, 10, 229, 'r'),
    ]

    /** Runs the encoded program on a bpf_cgroup_dev_ctx; returns r0. */
    static long run(byte[] code, int type, int access, int major, int minor) {
        long[] reg = new long[11]
        reg[1] = -1L // the context pointer
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.nativeOrder())
        int[] ctx = [(access << 16) | type, major, minor]
        int pc = 0
        for (int steps = 0; steps < 10_000; steps++) {
            int op = b.get(pc * 8) & 0xff
            int regs = b.get(pc * 8 + 1) & 0xff
            int dst = regs & 0xf, src = regs >> 4
            int off = b.getShort(pc * 8 + 2)
            long imm = b.getInt(pc * 8 + 4)
            pc++
            switch (op) {
                case 0x61: assert reg[src] == -1L; reg[dst] = ctx[off.intdiv(4)] & 0xffffffffL; break // ctx is r1 = -1 here
                case 0x54: reg[dst] = (reg[dst] & imm) & 0xffffffffL; break
                case 0x74: reg[dst] = (reg[dst] & 0xffffffffL) >>> imm; break
                case 0xbf: reg[dst] = reg[src]; break
                case 0xb7: reg[dst] = imm; break
                case 0x55: if (reg[dst] != imm) pc += off; break
                case 0x95: return reg[0]
                default: throw new IllegalStateException("opcode ${Integer.toHexString(op)}")
            }
            assert pc >= 0 && pc * 8 < code.length: 'a jump out of the program'
        }
        throw new IllegalStateException('no exit')
    }

    /** What the kernel's verifier checks before it runs anything: jumps stay inside, no instruction is unreachable. */
    static void checkReachable(byte[] code) {
        int n = code.length.intdiv(8)
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.nativeOrder())
        Set<Integer> seen = [] as Set
        List<Integer> todo = [0]
        while (todo) {
            int pc = todo.pop()
            if (!seen.add(pc)) continue
            assert pc < n: 'falls off the end'
            int op = b.get(pc * 8) & 0xff
            if (op == 0x95) continue
            if (op == 0x55) {
                int target = pc + 1 + b.getShort(pc * 8 + 2)
                assert target > pc && target < n: "jump out of range from ${pc}"
                todo << target
            }
            todo << pc + 1
        }
        assert seen.size() == n: "unreachable instructions: ${(0..<n) - seen}"
    }

    static long ask(List<DeviceRule> rules, int type, int access, int major, int minor) {
        byte[] code = DeviceFilter.encode(DeviceFilter.program(rules))
        checkReachable(code)
        run(code, type, access, major, minor)
    }

    def "Docker's rules: #what"() {
        expect:
        ask(RULES, type, access, major, minor) == answer

        where:
        what                                   | type  | access | major | minor || answer
        'mknod of any char device'             | CHAR  | M      | 4     | 2     || 1
        'mknod of any block device'            | BLOCK | M      | 8     | 0     || 1
        'read of a block device'               | BLOCK | R      | 8     | 0     || 0
        'read and write of /dev/null'          | CHAR  | R + W  | 1     | 3     || 1
        'a pseudo-terminal, any minor'         | CHAR  | R + W  | 136   | 7     || 1
        'the same numbers as a block device'   | BLOCK | R      | 1     | 3     || 0
        'the given device, read'               | CHAR  | R      | 10    | 229   || 1
        'the given device, write: not allowed' | CHAR  | W      | 10    | 229   || 0
        'a device not listed'                  | CHAR  | R      | 1     | 11    || 0
        'a neighbour of a listed one'          | CHAR  | R      | 1     | 4     || 0
    }

    def "a later rule overrides an earlier one; no rule that matches: denied"() {
        given:
        def allowAll = new DeviceRule(true, 'a' as char, -1, -1, 'rwm')
        def denyNull = new DeviceRule(false, 'c' as char, 1, 3, 'rwm')

        expect:
        ask([allowAll], CHAR, R + W, 1, 11) == 1
        ask([allowAll, denyNull], CHAR, R, 1, 3) == 0
        ask([allowAll, denyNull], CHAR, R, 1, 5) == 1
        ask([denyNull, allowAll], CHAR, R, 1, 3) == 1
        ask([], CHAR, R, 1, 3) == 0
    }

    def "v1 lines as devices.allow takes them"() {
        expect:
        RULES*.v1Line() == ['a', 'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 136:* rwm', 'c 10:229 r']
    }

    def "bad rules are refused"() {
        when:
        new DeviceRule(true, 'x' as char, 1, 3, 'rwm')
        then:
        def e = thrown(io.cgroovy.runtime.ContainerException)
        e.message == "device rule: type 'x' is not a, c or b"
        when:
        new DeviceRule(true, 'c' as char, 1, 3, 'rwx')
        then:
        e = thrown(io.cgroovy.runtime.ContainerException)
        e.message == "device rule: access 'rwx' is not a subset of rwm"
    }
}

package io.cgroovy.runtime

import io.cgroovy.runtime.plan.SeccompCompiler
import io.cgroovy.runtime.spec.RuntimeSpec
import io.cgroovy.runtime.spec.SeccompProfile
import io.cgroovy.runtime.spec.SpecBuilder
import spock.lang.Specification

/** The BPF the compiler emits, instruction by instruction (the kernel's verdicts are checked in EngineSpec). */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class SeccompCompilerSpec extends Specification {
    static final SeccompCompiler.Table X86 = SeccompCompiler.parseTable('arch x86_64-linux-gnu\nclone 56\nunshare 272\n')
    static final long EPERM = 0x00050001L

    static List<List<Long>> decode(String hex) {
        def b = hex.decodeHex()
        (0..<(b.length / 8)).collect { int i ->
            int o = i * 8
            long code = (b[o] & 0xff) | ((b[o + 1] & 0xff) << 8)
            long k = 0
            for (int j = 3; j >= 0; j--) k = (k << 8) | (b[o + 4 + j] & 0xff)
            [code, (long) (b[o + 2] & 0xff), (long) (b[o + 3] & 0xff), k]
        }
    }

    def "a deny rule and a masked argument rule compile to arch check, x32 refusal, per-rule blocks, default"() {
        given:
        def sc = new RuntimeSpec.Seccomp(defaultAction: 'SCMP_ACT_ALLOW', syscalls: [
                new RuntimeSpec.Syscall(['unshare', 'not_on_this_arch'], 'SCMP_ACT_ERRNO', 1L, null),
                new RuntimeSpec.Syscall(['clone'], 'SCMP_ACT_ERRNO', 1L, [new RuntimeSpec.SyscallArg(0, 0x10000000L, 0x10000000L, 'SCMP_CMP_MASKED_EQ')])])
        expect:
        decode(SeccompCompiler.compile(sc, X86)) == [
                [0x20, 0, 0, 4], [0x15, 1, 0, 0xC000003EL], [0x06, 0, 0, EPERM],   // other architectures: EPERM
                [0x20, 0, 0, 0], [0x35, 0, 1, 0x40000000L], [0x06, 0, 0, EPERM],    // x32 ABI: EPERM
                [0x15, 0, 1, 272], [0x06, 0, 0, EPERM],                              // unshare
                [0x15, 0, 4, 56], [0x20, 0, 0, 16], [0x54, 0, 0, 0x10000000L],       // clone with CLONE_NEWUSER
                [0x15, 0, 1, 0x10000000L], [0x06, 0, 0, EPERM], [0x20, 0, 0, 0],
                [0x06, 0, 0, 0x7fff0000L]]                                           // default: allow
    }

    def "64-bit equality checks both halves of the argument"() {
        given:
        def sc = new RuntimeSpec.Seccomp(defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38L, syscalls: [
                new RuntimeSpec.Syscall(['clone'], 'SCMP_ACT_ALLOW', null, [new RuntimeSpec.SyscallArg(1, 0x100000002L, 0, 'SCMP_CMP_EQ')])])
        expect:
        decode(SeccompCompiler.compile(sc, X86)).drop(6) == [
                [0x15, 0, 5, 56], [0x20, 0, 0, 24], [0x15, 0, 3, 2], [0x20, 0, 0, 28], [0x15, 0, 1, 1],
                [0x06, 0, 0, 0x7fff0000L], [0x20, 0, 0, 0], [0x06, 0, 0, 0x00050026L]]
    }

    def "Docker's default profile is an allow-list: keyrings, namespaces, mounts, BPF absent; clone3 ENOSYS; default EPERM"() {
        given:
        def table = SeccompCompiler.builtInTable()
        def prog = decode(SeccompCompiler.compile(SpecBuilder.defaultSeccomp(), table))
        def tests = prog.findAll { it[0] == 0x15L }.collect { it[3] }
        expect:
        ['read', 'write', 'execve', 'openat', 'futex', 'wait4', 'chroot', 'ptrace'].every { tests.contains((long) table.numbers()[it]) }
        ['unshare', 'setns', 'keyctl', 'add_key', 'mount', 'bpf', 'userfaultfd', 'kexec_load', 'pidfd_getfd', 'io_uring_setup']
                .every { !tests.contains((long) table.numbers()[it]) }
        prog.indexOf([0x15L, 0L, 1L, (long) table.numbers()['clone3']]) + 1 == prog.indexOf([0x06L, 0L, 0L, 0x00050026L])
        prog.last() == [0x06L, 0L, 0L, 0x00050001L]
        prog.size() < 1000
    }

    def "capabilities switch rules of the default profile on and off, as Docker's includes/excludes do"() {
        given:
        def table = SeccompCompiler.builtInTable()
        def withAdmin = SeccompProfile.dockerDefault().resolve(SpecBuilder.DEFAULT_CAPS + ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'])
        def names = withAdmin.syscalls.collectMany { it.names }
        expect:
        ['mount', 'unshare', 'setns', 'clone3', 'pidfd_getfd'].every { names.contains(it) }
        !withAdmin.syscalls.any { it.names == ['clone3'] && it.action == 'SCMP_ACT_ERRNO' }
        !SpecBuilder.defaultSeccomp().syscalls.collectMany { it.names }.contains('mount')
        SeccompProfile.dockerDefault().resolve(SpecBuilder.DEFAULT_CAPS, 'SCMP_ARCH_X86_64', 'amd64', [4, 4] as int[])
                .syscalls.findAll { it.names.contains('ptrace') }.isEmpty()
    }

    def "LT and NE compare whole 64-bit arguments"() {
        given:
        def sc = new RuntimeSpec.Seccomp(defaultAction: 'SCMP_ACT_ERRNO', syscalls: [
                new RuntimeSpec.Syscall(['clone'], 'SCMP_ACT_ALLOW', null, [new RuntimeSpec.SyscallArg(0, 12, 0, 'SCMP_CMP_LT')]),
                new RuntimeSpec.Syscall(['unshare'], 'SCMP_ACT_ALLOW', null, [new RuntimeSpec.SyscallArg(0, 40, 0, 'SCMP_CMP_NE')])])
        expect:
        decode(SeccompCompiler.compile(sc, X86)).drop(6) == [
                [0x15, 0, 6, 56], [0x20, 0, 0, 20], [0x25, 4, 0, 0], [0x15, 0, 2, 0], [0x20, 0, 0, 16], [0x35, 1, 0, 12],
                [0x06, 0, 0, 0x7fff0000L], [0x20, 0, 0, 0],
                [0x15, 0, 5, 272], [0x20, 0, 0, 20], [0x15, 0, 2, 0], [0x20, 0, 0, 16], [0x15, 1, 0, 40],
                [0x06, 0, 0, 0x7fff0000L], [0x20, 0, 0, 0],
                [0x06, 0, 0, 0x00050001L]]
    }

    def "unsupported actions and operators are clear errors"() {
        when:
        SeccompCompiler.compile(new RuntimeSpec.Seccomp(defaultAction: 'SCMP_ACT_TRACE'), X86)
        then:
        def e = thrown(ContainerException)
        e.message == 'seccomp: action SCMP_ACT_TRACE is not supported'
        when:
        SeccompCompiler.compile(new RuntimeSpec.Seccomp(defaultAction: 'SCMP_ACT_ALLOW', syscalls: [
                new RuntimeSpec.Syscall(['clone'], 'SCMP_ACT_ERRNO', 1L, [new RuntimeSpec.SyscallArg(0, 1, 0, 'SCMP_CMP_SOMETIMES')])]), X86)
        then:
        e = thrown(ContainerException)
        e.message == 'seccomp: operator SCMP_CMP_SOMETIMES is not supported'
    }
}

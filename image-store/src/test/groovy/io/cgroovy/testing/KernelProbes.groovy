package io.cgroovy.testing

/** What the running kernel lets specs do, probed once per JVM (the UML guest lacks some of it). */
class KernelProbes {
    /**
     * The engine's firewall can work in this kernel: nftables, or else iptables-legacy (the UML guest's kernel has no
     * nftables), tried in a throwaway network namespace.
     */
    static boolean firewallWorks() { FIREWALL }

    private static final boolean FIREWALL = [['unshare', '-n', 'nft', 'add', 'table', 'inet', 'cgroovy_probe'],
                                             ['unshare', '-n', 'iptables-legacy', '-w', '-t', 'nat', '-N', 'CGROOVY-PROBE']].any { cmd ->
        def p = cmd.execute()
        p.waitForProcessOutput(new StringBuilder(), new StringBuilder())
        p.exitValue() == 0
    }
}

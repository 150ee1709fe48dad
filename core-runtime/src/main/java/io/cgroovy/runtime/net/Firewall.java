package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The engine's own packet-filter rules for one state root: outbound NAT for networks that are not
 * internal, isolation between networks, and published ports (DNAT from the host's addresses,
 * loopback included). They are rewritten whole from the records when a network or a published
 * port comes or goes, and removed with the last network.
 *
 * <p>Two backends, chosen once per JVM: nftables (one table, replaced in one transaction) where the
 * kernel has it, else iptables-legacy (own chains, jumped to from the built-in ones) where the
 * kernel has no nftables, such as Debian's User-mode Linux kernel. {@code CGROOVY_FIREWALL=nftables}
 * or {@code iptables} forces one.
 *
 * <p>Why not the portmap and firewall plugins: they leave their top-level chains (CNI-HOSTPORT-*,
 * CNI-FORWARD) in the host's iptables for ever, need one iptables exec per rule, and portmap
 * does not notice a host port already taken.
 */
interface Firewall {
    /** "nftables" or "iptables-legacy". */
    String backend();

    /** What a user would look for: "ip cgroovy_1a2b3c4d" (nft table) or "CGROOVY-1a2b3c4d" (iptables chain prefix). */
    String name();

    /** The rules for these networks and their endpoints, as the backend is given them (compared to skip a needless apply). */
    String render(Map<NetworkRecord, List<Endpoint>> networks);

    /** Makes the rules match these networks and their endpoints' published ports; no network removes them all. */
    void apply(Map<NetworkRecord, List<Endpoint>> networks);

    /** The rules as the kernel has them now, in the backend's own syntax; empty when there are none. */
    String rules();

    /** The firewall of a state root whose rules are named by {@code id} (8 hex digits). */
    static Firewall of(String id) {
        return switch (Backend.chosen()) {
            case "iptables" -> new IptablesFirewall("CGROOVY-" + id);
            default -> new NftFirewall("cgroovy_" + id);
        };
    }

    /** The backend choice, probed once: nftables if a table can be made, else iptables-legacy if present. */
    final class Backend {
        private static volatile String chosen;

        private Backend() {}

        static String chosen() {
            String c = chosen;
            if (c != null) return c;
            String env = System.getenv("CGROOVY_FIREWALL");
            if (env != null && !env.isBlank()) {
                c = switch (env.trim()) {
                    case "nftables", "nft" -> "nftables";
                    case "iptables", "iptables-legacy" -> "iptables";
                    default -> throw new ContainerException("CGROOVY_FIREWALL=" + env + ": expected nftables or iptables");
                };
            } else {
                // add and delete in one transaction: nothing is left even if two engines probe at once
                c = run(List.of("nft", "-f", "-"), "add table ip cgroovy_probe\ndelete table ip cgroovy_probe\n").rc() == 0 ? "nftables"
                        : run(List.of("iptables-legacy", "-w", "-L", "-n"), "").rc() == 0 ? "iptables" : "nftables";
            }
            chosen = c;
            return c;
        }
    }

    /** A command's exit status and its output (stdout and stderr together). */
    record Result(int rc, String out) {
        String firstLine() { return out.lines().findFirst().orElse("exit " + rc); }
    }

    /** Runs a command with {@code stdin}; rc 127 when it cannot be started. Runs to the end even if interrupted. */
    static Result run(List<String> cmd, String stdin) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean interrupted = false;
            int rc;
            while (true) {
                try {
                    rc = p.waitFor();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the rules must be consistent with the records
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            return new Result(rc, out);
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
    }
}

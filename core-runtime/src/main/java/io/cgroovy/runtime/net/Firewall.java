package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The engine's own nftables table ({@code ip cgroovy_<hash of the state root>}): outbound NAT for
 * networks that are not internal, isolation between networks, and published ports (DNAT from the
 * host's addresses, loopback included). It is rewritten whole, in one atomic {@code nft -f}
 * transaction, from the records on disk whenever an endpoint comes or goes, and deleted when no
 * network has a container left.
 *
 * <p>Why not the portmap and firewall plugins: they leave their top-level chains (CNI-HOSTPORT-*,
 * CNI-FORWARD) in the host's iptables for ever, need one iptables exec per rule, and portmap
 * does not notice a host port already taken. One table that is replaced atomically leaves
 * nothing behind and costs one exec.
 */
final class Firewall {
    private final String table;

    Firewall(String table) {
        this.table = table;
    }

    String table() { return table; }

    /** The active networks (with at least one endpoint) and their endpoints. */
    String render(Map<NetworkRecord, List<Endpoint>> active) {
        StringBuilder s = new StringBuilder();
        s.append("add table ip ").append(table).append('\n');
        s.append("delete table ip ").append(table).append('\n');
        if (active.isEmpty()) return s.toString();
        StringBuilder pre = new StringBuilder(), out = new StringBuilder(), post = new StringBuilder(), fwd = new StringBuilder();
        for (Map.Entry<NetworkRecord, List<Endpoint>> e : active.entrySet()) {
            NetworkRecord n = e.getKey();
            String br = quote(n.bridge);
            if (n.internal) {
                fwd.append("    iifname ").append(br).append(" oifname != ").append(br).append(" drop\n");
                fwd.append("    oifname ").append(br).append(" iifname != ").append(br).append(" drop\n");
            } else {
                // no traffic between cgroovy networks (of any state root); out to the world is fine
                fwd.append("    iifname ").append(br).append(" oifname != ").append(br).append(" oifname \"cg*\" drop\n");
                post.append("    ip saddr ").append(n.subnet).append(" ip daddr != ").append(n.subnet)
                        .append(" oifname != ").append(br).append(" masquerade\n");
            }
            boolean published = false;
            for (Endpoint ep : e.getValue()) {
                for (PublishedPort p : ep.publishedPorts()) {
                    published = true;
                    String match = (p.hostIp() == null ? "fib daddr type local" : "ip daddr " + p.hostIp())
                            + " " + p.protocol() + " dport " + p.hostPort() + " dnat to " + ep.ip() + ":" + p.containerPort() + "\n";
                    pre.append("    ").append(match);
                    out.append("    ").append(match);
                }
            }
            // connections to a published port from the host's loopback address need a source the container can answer
            if (published) post.append("    oifname ").append(br).append(" ip saddr 127.0.0.0/8 ct status dnat masquerade\n");
        }
        s.append("table ip ").append(table).append(" {\n");
        s.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n").append(pre).append("  }\n");
        s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n").append(out).append("  }\n");
        s.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n").append(post).append("  }\n");
        s.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n").append(fwd).append("  }\n");
        s.append("}\n");
        return s.toString();
    }

    void apply(Map<NetworkRecord, List<Endpoint>> active) {
        String script = render(active);
        try {
            Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc;
            boolean interrupted = false;
            while (true) {
                try {
                    rc = p.waitFor();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the table must be consistent with the records
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (rc != 0) {
                throw new ContainerException("nft table " + table + ": " + (outText.isEmpty() ? "exit " + rc : outText.lines().findFirst().orElse("")));
            }
        } catch (IOException e) {
            throw new ContainerException("cannot run nft (apt-get install nftables): " + e.getMessage(), e);
        }
    }

    private static String quote(String s) { return "\"" + s + "\""; }
}

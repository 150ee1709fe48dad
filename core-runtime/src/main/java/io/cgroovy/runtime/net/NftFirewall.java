package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

import java.util.List;
import java.util.Map;

/**
 * The {@link Firewall} on nftables: the table {@code ip cgroovy_<hash of the state root>}, rewritten
 * whole in one atomic {@code nft -f} transaction and deleted with the last network.
 */
final class NftFirewall implements Firewall {
    private final String table;

    NftFirewall(String table) {
        this.table = table;
    }

    @Override
    public String backend() { return "nftables"; }

    @Override
    public String name() { return "ip " + table; }

    @Override
    public String rules() {
        Result r = Firewall.run(List.of("nft", "list", "table", "ip", table), "");
        return r.rc() == 0 ? r.out() : "";
    }

    /** The active networks (with at least one endpoint) and their endpoints. */
    @Override
    public String render(Map<NetworkRecord, List<Endpoint>> active) {
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

    @Override
    public void apply(Map<NetworkRecord, List<Endpoint>> active) {
        Result r = Firewall.run(List.of("nft", "-f", "-"), render(active));
        if (r.rc() == 127) throw new ContainerException("cannot run nft (apt-get install nftables): " + r.out());
        if (r.rc() != 0) throw new ContainerException("nft table " + table + ": " + r.firstLine());
    }

    private static String quote(String s) { return "\"" + s + "\""; }
}

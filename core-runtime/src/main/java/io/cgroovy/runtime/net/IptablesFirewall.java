package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link Firewall} on iptables-legacy, for kernels without nftables: four chains of the engine's
 * own ({@code CGROOVY-<hash>-PRE/-OUT/-POST} in nat, {@code -FWD} in filter), refilled per table in
 * one {@code iptables-legacy-restore --noflush} transaction, each jumped to from the top of its
 * built-in chain. With the last network the jumps and the chains go.
 */
final class IptablesFirewall implements Firewall {
    private static final String IPT = "iptables-legacy";

    /** Our chain, its table and the built-in chain that jumps to it. */
    private record Hook(String table, String builtin, String chain) {}

    private final String prefix;
    private final List<Hook> hooks;

    IptablesFirewall(String prefix) {
        this.prefix = prefix;
        this.hooks = List.of(new Hook("nat", "PREROUTING", prefix + "-PRE"), new Hook("nat", "OUTPUT", prefix + "-OUT"),
                new Hook("nat", "POSTROUTING", prefix + "-POST"), new Hook("filter", "FORWARD", prefix + "-FWD"));
    }

    @Override
    public String backend() { return "iptables-legacy"; }

    @Override
    public String name() { return prefix; }

    @Override
    public String rules() {
        Result r = Firewall.run(List.of(IPT + "-save"), "");
        if (r.rc() != 0) return "";
        StringBuilder s = new StringBuilder();
        for (String line : r.out().lines().toList()) if (line.contains(prefix)) s.append(line).append('\n');
        return s.toString();
    }

    /** The restore script that fills our chains (declaring a chain under --noflush empties it, or makes it). */
    @Override
    public String render(Map<NetworkRecord, List<Endpoint>> active) {
        List<String> pre = new ArrayList<>(), post = new ArrayList<>(), drops = new ArrayList<>(), accepts = new ArrayList<>();
        for (Map.Entry<NetworkRecord, List<Endpoint>> e : active.entrySet()) {
            NetworkRecord n = e.getKey();
            String br = n.bridge;
            if (n.internal) {
                drops.add("-i " + br + " ! -o " + br + " -j DROP");
                drops.add("-o " + br + " ! -i " + br + " -j DROP");
            } else {
                // no traffic between cgroovy networks (of any state root); out to the world is fine
                drops.add("-i " + br + " -o " + br + " -j RETURN");
                drops.add("-i " + br + " -o cg+ -j DROP");
                // after every drop: lets the traffic through a FORWARD policy of DROP (as Docker sets it)
                accepts.add("-i " + br + " -j ACCEPT");
                accepts.add("-o " + br + " -j ACCEPT");
                post.add("-s " + n.subnet + " ! -d " + n.subnet + " ! -o " + br + " -j MASQUERADE");
            }
            boolean published = false;
            for (Endpoint ep : e.getValue()) {
                for (PublishedPort p : ep.publishedPorts()) {
                    published = true;
                    pre.add((p.hostIp() == null ? "-m addrtype --dst-type LOCAL" : "-d " + p.hostIp()) + " -p " + p.protocol()
                            + " --dport " + p.hostPort() + " -j DNAT --to-destination " + ep.ip() + ":" + p.containerPort());
                }
            }
            // connections to a published port from the host's loopback address need a source the container can answer
            if (published) post.add("-o " + br + " -s 127.0.0.0/8 -m conntrack --ctstate DNAT -j MASQUERADE");
        }
        StringBuilder s = new StringBuilder("*nat\n");
        for (Hook h : hooks) if (h.table.equals("nat")) s.append(':').append(h.chain).append(" - [0:0]\n");
        pre.forEach(r -> s.append("-A ").append(prefix).append("-PRE ").append(r).append('\n'));
        pre.forEach(r -> s.append("-A ").append(prefix).append("-OUT ").append(r).append('\n'));
        post.forEach(r -> s.append("-A ").append(prefix).append("-POST ").append(r).append('\n'));
        s.append("COMMIT\n*filter\n:").append(prefix).append("-FWD - [0:0]\n");
        drops.forEach(r -> s.append("-A ").append(prefix).append("-FWD ").append(r).append('\n'));
        accepts.forEach(r -> s.append("-A ").append(prefix).append("-FWD ").append(r).append('\n'));
        s.append("COMMIT\n");
        return s.toString();
    }

    @Override
    public void apply(Map<NetworkRecord, List<Endpoint>> active) {
        if (active.isEmpty()) {
            removeAll();
            return;
        }
        Result r = Firewall.run(List.of(IPT + "-restore", "-w", "--noflush"), render(active));
        if (r.rc() == 127) throw new ContainerException("cannot run " + IPT + "-restore (apt-get install iptables): " + r.out());
        if (r.rc() != 0) throw new ContainerException(IPT + " chains " + prefix + "-*: " + r.firstLine());
        for (Hook h : hooks) {
            if (ipt("-t", h.table, "-C", h.builtin, "-j", h.chain).rc() == 0) continue;
            Result j = ipt("-t", h.table, "-I", h.builtin, "1", "-j", h.chain);
            if (j.rc() != 0) throw new ContainerException(IPT + ": cannot jump from " + h.builtin + " to " + h.chain + ": " + j.firstLine());
        }
    }

    /** The jumps (every copy), then the chains; what is not there is fine. */
    private void removeAll() {
        for (Hook h : hooks) {
            if (ipt("-t", h.table, "-n", "-L", h.chain).rc() != 0) continue;
            for (int i = 0; i < 16 && ipt("-t", h.table, "-D", h.builtin, "-j", h.chain).rc() == 0; i++) {
                // once per copy
            }
            ipt("-t", h.table, "-F", h.chain);
            Result x = ipt("-t", h.table, "-X", h.chain);
            if (x.rc() != 0 && ipt("-t", h.table, "-n", "-L", h.chain).rc() == 0) {
                throw new ContainerException(IPT + ": cannot remove chain " + h.chain + ": " + x.firstLine());
            }
        }
    }

    private static Result ipt(String... args) {
        List<String> cmd = new ArrayList<>(List.of(IPT, "-w"));
        cmd.addAll(List.of(args));
        return Firewall.run(cmd, "");
    }
}

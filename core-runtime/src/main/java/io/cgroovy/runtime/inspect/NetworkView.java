package io.cgroovy.runtime.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.net.Endpoint;
import io.cgroovy.runtime.net.NetworkRecord;
import io.cgroovy.runtime.net.Networks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A container's network as the kernel has it: the interfaces and routes inside its network namespace (asked of
 * netlink by {@code ip -j} run in that namespace with {@code nsenter}), for each veth the host-side peer (found by
 * ifindex in /sys/class/net) and the bridge it is on, and the NAT and filter rules of the engine's table that
 * name the container's address or bridge.
 *
 * @param sharedWithHost true for {@code network host}: the host's own namespace (nothing else is listed)
 * @param interfaces     the interfaces inside, in ifindex order
 * @param routes         the main routing table inside ("default via 10.89.0.1 dev eth0")
 * @param networks       the engine's networks it is on: name, address, bridge, published ports
 * @param rules          the firewall rules that serve it (nftables table or iptables-legacy chain lines), empty when none
 */
public record NetworkView(boolean sharedWithHost, List<Interface> interfaces, List<String> routes, List<Map<String, Object>> networks,
                          List<String> rules) {
    /**
     * One interface in the container.
     *
     * @param name      "eth0", "lo"
     * @param index     its ifindex inside
     * @param state     operstate ("UP", "UNKNOWN", "DOWN")
     * @param mac       its MAC address
     * @param addresses "10.89.0.2/24", ...
     * @param hostPeer  the host-side end of a veth ("veth1a2b3c4d"), null for others
     * @param bridge    the bridge the host-side end is on, null when none
     */
    public record Interface(String name, int index, String state, String mac, List<String> addresses, String hostPeer, String bridge) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("index", index);
            m.put("state", state);
            m.put("mac", mac);
            m.put("addresses", addresses);
            m.put("hostPeer", hostPeer);
            m.put("bridge", bridge);
            return m;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The network of the running container {@code c}; {@code networks} gives its endpoints and the engine's table. */
    public static NetworkView of(Running c, Networks networks) {
        boolean host = Namespaces.of(c.pid()).stream().anyMatch(n -> n.type().equals("net") && n.sharedWithHost());
        List<Map<String, Object>> nets = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> bridges = new ArrayList<>();
        for (Endpoint e : networks.endpointsOf(c.id())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("network", e.network);
            m.put("interface", e.ifname);
            m.put("address", e.address);
            String bridge = null;
            try {
                NetworkRecord r = networks.get(e.network);
                bridge = r.bridge;
                bridges.add(r.bridge);
            } catch (RuntimeException gone) {
                // removed meanwhile: say what the endpoint says
            }
            m.put("bridge", bridge);
            m.put("ports", List.copyOf(e.ports));
            nets.add(m);
            if (e.ip() != null) ips.add(e.ip());
        }
        if (host) return new NetworkView(true, List.of(), List.of(), nets, List.of());
        String ns = "--net=/proc/" + c.pid() + "/ns/net";
        List<Interface> ifs = new ArrayList<>();
        for (JsonNode i : json(run("nsenter", ns, "ip", "-j", "addr", "show"))) {
            List<String> addrs = new ArrayList<>();
            for (JsonNode a : i.path("addr_info")) addrs.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            String peer = null, bridge = null;
            if (i.has("link_index") && i.has("link_netnsid")) {
                peer = hostInterface(i.path("link_index").asInt(), i.path("ifindex").asInt());
                if (peer != null) bridge = master(peer);
            }
            ifs.add(new Interface(i.path("ifname").asText(), i.path("ifindex").asInt(), i.path("operstate").asText(),
                    i.path("address").asText(null), List.copyOf(addrs), peer, bridge));
        }
        List<String> routes = new ArrayList<>();
        for (JsonNode r : json(run("nsenter", ns, "ip", "-j", "route", "show"))) {
            StringBuilder b = new StringBuilder(r.path("dst").asText());
            if (r.has("gateway")) b.append(" via ").append(r.path("gateway").asText());
            if (r.has("dev")) b.append(" dev ").append(r.path("dev").asText());
            if (r.has("prefsrc")) b.append(" src ").append(r.path("prefsrc").asText());
            routes.add(b.toString());
        }
        return new NetworkView(false, List.copyOf(ifs), List.copyOf(routes), List.copyOf(nets),
                nets.isEmpty() ? List.of() : rules(networks.firewallRules(), ips, bridges));
    }

    /** The host interface whose ifindex is {@code index} and whose peer is the container's {@code peerIndex}; null if none. */
    private static String hostInterface(int index, int peerIndex) {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/sys/class/net"))) {
            for (Path p : d) {
                if (readInt(p.resolve("ifindex")) == index && readInt(p.resolve("iflink")) == peerIndex) return p.getFileName().toString();
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read /sys/class/net: " + e.getMessage(), e);
        }
        return null;
    }

    private static int readInt(Path f) {
        try {
            return Integer.parseInt(Files.readString(f).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static String master(String dev) {
        Path link = Path.of("/sys/class/net", dev, "master");
        try {
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The lines of the engine's firewall rules (nftables table, or iptables-legacy chains) that name one of the addresses or bridges. */
    private static List<String> rules(String text, List<String> ips, List<String> bridges) {
        List<String> out = new ArrayList<>();
        String chain = "";
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.startsWith("chain ")) chain = t.substring(6).replace(" {", "").trim();
            if (t.startsWith("-A ")) { // iptables-save: "-A CHAIN rule"
                String[] w = t.split(" ", 3);
                chain = w[1];
                t = w.length > 2 ? w[2] : "";
            }
            boolean mine = false;
            for (String ip : ips) mine |= t.matches(".*\\b" + java.util.regex.Pattern.quote(ip) + "\\b.*");
            for (String br : bridges) mine |= t.contains("\"" + br + "\"") || t.matches(".*[io] " + java.util.regex.Pattern.quote(br) + "\\b.*");
            if (mine) out.add(chain + ": " + t);
        }
        return out;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.isBlank() ? "[]" : text);
        } catch (IOException e) {
            throw new ContainerException("cannot parse the output of ip -j: " + e.getMessage(), e);
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ContainerException(String.join(" ", cmd) + ": no answer in 30 s");
            }
            if (p.exitValue() != 0) throw new ContainerException(String.join(" ", cmd) + ": " + (err.isEmpty() ? "exit " + p.exitValue() : err.lines().findFirst().orElse("")));
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ContainerException("cannot run " + cmd[0] + " (apt-get install iproute2 util-linux nftables): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(String.join(" ", cmd) + ": interrupted");
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sharedWithHost", sharedWithHost);
        m.put("interfaces", interfaces.stream().map(Interface::toMap).toList());
        m.put("routes", routes);
        m.put("networks", networks);
        m.put("rules", rules);
        return m;
    }

    /** Lines for a screen (an interface's host side on a line of its own); link-local IPv6 addresses only in the data. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (sharedWithHost) {
            out.add("host network: the host's own interfaces, routes and ports");
            return out;
        }
        for (Interface i : interfaces) {
            StringBuilder b = new StringBuilder(i.name() + " " + i.state().toLowerCase());
            for (String a : i.addresses()) if (!a.startsWith("fe80:")) b.append(" ").append(a);
            if (i.hostPeer() != null) b.append("\nhost side: ").append(i.hostPeer()).append(i.bridge() == null ? ", on no bridge" : " on bridge " + i.bridge());
            out.add(b.toString());
        }
        for (Map<String, Object> n : networks) {
            @SuppressWarnings("unchecked") List<String> ports = (List<String>) n.get("ports");
            out.add("network " + n.get("network") + " " + n.get("address") + (ports.isEmpty() ? "" : " ports " + String.join(" ", ports)));
        }
        for (String r : routes) out.add("route " + r);
        for (String r : rules) out.add("nft " + r);
        return out;
    }

    @Override
    public String toString() {
        return Explain.block("network", lines());
    }
}

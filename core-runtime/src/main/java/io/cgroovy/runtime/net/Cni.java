package io.cgroovy.runtime.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs CNI plugins (spec 1.0.0) as the spec says: the network config on stdin, the request in
 * CNI_* variables, the result or error as JSON on stdout. The bridge plugin makes the bridge and
 * the veth pair and calls host-local for the address; host-local keeps its allocations under
 * {@code <root>/networks/ipam/<network>/} with a file lock, so concurrent shells never hand out
 * one address twice.
 */
public final class Cni {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Where Debian's containernetworking-plugins puts them; the others are common elsewhere. */
    static final List<Path> SEARCH = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"), Path.of("/usr/libexec/cni"));

    private final Path pluginDir;
    private final Path ipamDir;

    Cni(Path ipamDir) {
        this.ipamDir = ipamDir;
        String env = System.getenv("CNI_PATH");
        Path dir = env != null && !env.isBlank() ? Path.of(env.split(":")[0]) : null;
        if (dir == null) dir = SEARCH.stream().filter(d -> Files.isExecutable(d.resolve("bridge"))).findFirst().orElse(null);
        this.pluginDir = dir;
    }

    private Path plugin(String type) {
        if (pluginDir == null || !Files.isExecutable(pluginDir.resolve(type))) {
            throw new ContainerException("CNI plugin '" + type + "' not found in " + SEARCH.get(0) + " (apt-get install containernetworking-plugins)");
        }
        return pluginDir.resolve(type);
    }

    /** The bridge plugin's config for a network (host-local IPAM, no masquerade: the engine's firewall table does that). */
    ObjectNode config(NetworkRecord n) {
        ObjectNode c = JSON.createObjectNode();
        c.put("cniVersion", "1.0.0");
        c.put("name", n.name);
        c.put("type", "bridge");
        c.put("bridge", n.bridge);
        c.put("isGateway", true);
        c.put("ipMasq", false);
        c.put("hairpinMode", true);
        if (n.mtu != null) c.put("mtu", n.mtu);
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDir.toString());
        ObjectNode range = ((ArrayNode) ipam.putArray("ranges").addArray()).addObject();
        range.put("subnet", n.subnet);
        range.put("gateway", n.gateway);
        if (n.ipRange != null) {
            Cidr r = Cidr.parse(n.ipRange, "ip range");
            Cidr s = n.cidr();
            int gw = Cidr.parseAddress(n.gateway, "gateway");
            int first = Math.max(r.network(), s.network() + 1);
            int last = Math.min(r.broadcast(), s.broadcast() - 1);
            if (first == gw) first++;
            range.put("rangeStart", Cidr.format(first));
            range.put("rangeEnd", Cidr.format(last));
        }
        if (!n.internal) ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        return c;
    }

    /** The address the container got on {@code ifname} ("10.89.0.2/24"). */
    String add(NetworkRecord n, String containerId, Path netns, String ifname) {
        JsonNode r = exec("ADD", n, containerId, netns, ifname);
        JsonNode ips = r.path("ips");
        if (!ips.isArray() || ips.isEmpty()) throw new ContainerException("network " + n.name + ": the bridge plugin gave no address");
        return ips.get(0).path("address").asText();
    }

    /** Removes the container's interface and releases its address (also when the namespace is gone already). */
    void del(NetworkRecord n, String containerId, Path netns, String ifname) {
        exec("DEL", n, containerId, netns != null && Files.exists(netns) && Netns.mounted(netns) ? netns : null, ifname);
    }

    private JsonNode exec(String command, NetworkRecord n, String containerId, Path netns, String ifname) {
        Path bin = plugin("bridge");
        ProcessBuilder pb = new ProcessBuilder(bin.toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns == null ? "" : netns.toString());
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", pluginDir.toString());
        pb.redirectErrorStream(false);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(config(n)));
            }
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            int rc = waitFor(p);
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (rc != 0) {
                String msg = text;
                try {
                    JsonNode e = JSON.readTree(text);
                    msg = e.path("msg").asText(text) + (e.hasNonNull("details") ? ": " + e.path("details").asText() : "");
                } catch (IOException ignored) {
                    // not JSON: keep the raw text
                }
                throw new ContainerException("network " + n.name + ": CNI bridge " + command + " failed: " + firstLine(msg));
            }
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new ContainerException("network " + n.name + ": cannot run " + bin + ": " + e.getMessage(), e);
        }
    }

    private static int waitFor(Process p) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true; // network setup and teardown run to the end, or things leak
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}

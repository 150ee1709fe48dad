package io.cgroovy.runtime.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.Networking;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The networks of one state root: records under {@code <root>/networks/<name>/network.json},
 * each container's place on a network under {@code .../endpoints/<container id>.json}, host-local
 * IPAM data under {@code <root>/networks/.ipam/}. Every change happens under one lock (a JVM
 * lock plus a file lock, so concurrent shells on the same root take turns) and ends with the
 * containers' /etc/hosts and the engine's firewall rules (nftables or iptables-legacy) rewritten from these records.
 */
public final class Networks {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    /** Docker's order of default-bridge subnets: the first one the host has no route into is taken. */
    private static final List<String> DEFAULT_SUBNETS = defaultSubnets();

    private final Path root;
    private final Path dir;
    private final Ipam ipam;
    private volatile Firewall firewall; // chosen on first use: probing the backend costs an exec

    public Networks(Path root) {
        this.root = root;
        this.dir = root.resolve("networks");
        this.ipam = new Ipam(dir.resolve(".ipam"));
    }

    private static List<String> defaultSubnets() {
        List<String> l = new ArrayList<>();
        for (int i = 17; i <= 31; i++) l.add("172." + i + ".0.0/16");
        for (int i = 0; i < 256; i += 16) l.add("192.168." + i + ".0/20");
        return l;
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name of this state root's firewall rules: the nftables table ("ip cgroovy_1a2b3c4d") or the iptables chain prefix. */
    public String firewallTable() { return firewall().name(); }

    /** The firewall backend in use: "nftables", or "iptables-legacy" where the kernel has no nftables. */
    public String firewallBackend() { return firewall().backend(); }

    /** This state root's firewall rules as the kernel has them now (the backend's syntax); empty when there are none. */
    public String firewallRules() { return firewall().rules(); }

    private Firewall firewall() {
        Firewall f = firewall;
        if (f == null) firewall = f = Firewall.of(hash(root.toString()).substring(0, 8));
        return f;
    }

    /** The IPAM data directory (host-local's files: one per address in use). */
    public Path ipamDir() { return dir.resolve(".ipam"); }

    /** The netns file of a container. */
    public Path netnsFile(String containerId) { return root.resolve("netns").resolve(containerId); }

    // ---------------------------------------------------------------- records

    /** Creates a network like {@code docker network create}; one-line errors for bad or clashing subnets. */
    public NetworkRecord create(NetworkSettings settings) {
        Cidr given = settings.validate();
        return locked(() -> {
            NetworkSettings s = given != null ? settings : settings.withSubnet(freeSubnet().toString());
            Cidr subnet = given != null ? given : Cidr.parse(s.subnet(), "subnet");
            if (Files.exists(recordFile(s.name()))) throw new ContainerException("network " + s.name() + " already exists");
            checkFree(s.name(), subnet, null);
            NetworkRecord r = new NetworkRecord();
            r.name = s.name();
            r.id = hash(root + "/" + s.name() + "/" + Instant.now() + "/" + System.nanoTime());
            r.bridge = bridgeName(s.name());
            r.subnet = subnet.toString();
            r.gateway = s.gatewayOrDefault();
            r.ipRange = s.ipRange() == null ? null : Cidr.parse(s.ipRange(), "ip range").toString();
            r.mtu = s.mtu();
            r.internal = s.internal();
            r.created = Instant.now().toString();
            write(recordFile(r.name), r);
            return r;
        });
    }

    /**
     * Like {@link #create}, but an existing network with the same settings is returned as it is
     * (so a recipe can be run again); one with other settings is an error.
     */
    public NetworkRecord ensure(NetworkSettings s) {
        s.validate();
        return locked(() -> {
            NetworkRecord r = read(recordFile(s.name()), NetworkRecord.class);
            if (r == null) return create(s);
            boolean same = (s.subnet() == null || Cidr.parse(s.subnet(), "subnet").toString().equals(r.subnet))
                    && (s.gateway() == null || s.gateway().trim().equals(r.gateway))
                    && java.util.Objects.equals(s.ipRange() == null ? null : Cidr.parse(s.ipRange(), "ip range").toString(), r.ipRange)
                    && java.util.Objects.equals(s.mtu(), r.mtu) && s.internal() == r.internal;
            if (!same) throw new ContainerException("network " + s.name() + " already exists with other settings (" + r.subnet + "); remove it first");
            return r;
        });
    }

    /** The first 10.89.x.0/24 that no network of this root and no host route uses (Podman's choice). */
    private Cidr freeSubnet() {
        List<NetworkRecord> all = list();
        for (int i = 0; i < 256; i++) {
            Cidr c = new Cidr((10 << 24) | (89 << 16) | (i << 8), 24);
            if (HostRoutes.clash(c, null) == null && all.stream().noneMatch(o -> o.cidr().overlaps(c))) return c;
        }
        throw new ContainerException("no free subnet in 10.89.0.0/16 for a new network; give one with subnet");
    }

    /** A subnet must not overlap another network of this root nor any route of the host. */
    private void checkFree(String name, Cidr subnet, String ownBridge) {
        for (NetworkRecord o : list()) {
            if (!o.name.equals(name) && o.cidr().overlaps(subnet)) {
                throw new ContainerException("subnet " + subnet + " overlaps network " + o.name + " (" + o.subnet + ")");
            }
        }
        HostRoutes.Route r = HostRoutes.clash(subnet, ownBridge);
        if (r != null) throw new ContainerException("subnet " + subnet + " overlaps the host's route " + r.destination() + " on " + r.device());
    }

    /** "cgroovy0" for the default network of the default root, else "cg" + a hash of root and name (15 characters at most). */
    private String bridgeName(String name) {
        if (name.equals(NetworkSettings.DEFAULT) && root.equals(Path.of("/var/lib/cgroovy"))) return "cgroovy0";
        return "cg" + hash(root + "\0" + name).substring(0, 10);
    }

    public NetworkRecord get(String name) {
        NetworkSettings.checkName(name);
        NetworkRecord r = read(recordFile(name), NetworkRecord.class);
        if (r == null) {
            if (name.equals(NetworkSettings.DEFAULT)) return locked(this::ensureDefault);
            throw new ContainerException("no such network: " + name);
        }
        return r;
    }

    /** The default network, made on first use with the first of Docker's default subnets the host does not route. */
    private NetworkRecord ensureDefault() {
        NetworkRecord r = read(recordFile(NetworkSettings.DEFAULT), NetworkRecord.class);
        if (r != null) return r;
        for (String s : DEFAULT_SUBNETS) {
            Cidr c = Cidr.parse(s, "subnet");
            boolean free = HostRoutes.clash(c, null) == null && list().stream().noneMatch(o -> o.cidr().overlaps(c));
            if (!free) continue;
            r = new NetworkRecord();
            r.name = NetworkSettings.DEFAULT;
            r.id = hash(root + "/bridge/" + Instant.now());
            r.bridge = bridgeName(r.name);
            r.subnet = s;
            r.gateway = Cidr.format(c.network() + 1);
            r.created = Instant.now().toString();
            write(recordFile(r.name), r);
            return r;
        }
        throw new ContainerException("no free subnet for the default bridge network (all of 172.17-31.0.0/16 and 192.168.0-240.0/20 are in use)");
    }

    public List<NetworkRecord> list() {
        List<NetworkRecord> l = new ArrayList<>();
        if (!Files.isDirectory(dir)) return l;
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path d : ds) {
                if (d.getFileName().toString().startsWith(".")) continue;
                NetworkRecord r = read(d.resolve("network.json"), NetworkRecord.class);
                if (r != null) l.add(r);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        l.sort((a, b) -> a.name.compareTo(b.name));
        return l;
    }

    /** Removes a network; refused while containers are on it. */
    public void remove(String name) {
        NetworkSettings.checkName(name);
        locked(() -> {
            NetworkRecord r = read(recordFile(name), NetworkRecord.class);
            if (r == null) throw new ContainerException("no such network: " + name);
            List<Endpoint> eps = endpoints(name);
            if (!eps.isEmpty()) {
                throw new ContainerException("network " + name + " has " + eps.size() + " container(s) on it (" + eps.get(0).name + (eps.size() > 1 ? ", ..." : "") + ")");
            }
            Links.deleteBridge(r);
            removeQuietly(dir.resolve(".ipam").resolve(name));
            removeQuietly(dir.resolve(name));
            refresh(List.of()); // its rules go with it; the table with the last network
            return null;
        });
    }

    /** The containers on a network. */
    public List<Endpoint> endpoints(String network) {
        List<Endpoint> l = new ArrayList<>();
        Path d = dir.resolve(network).resolve("endpoints");
        if (!Files.isDirectory(d)) return l;
        try (var ds = Files.newDirectoryStream(d, "*.json")) {
            for (Path f : ds) {
                Endpoint e = read(f, Endpoint.class);
                if (e != null) l.add(e);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + d + ": " + e.getMessage(), e);
        }
        l.sort((a, b) -> a.container.compareTo(b.container));
        return l;
    }

    /** A container's endpoints on all networks, in the order it joined them (by interface name). */
    public List<Endpoint> endpointsOf(String containerId) {
        List<Endpoint> l = new ArrayList<>();
        for (NetworkRecord n : list()) {
            Endpoint e = read(endpointFile(n.name, containerId), Endpoint.class);
            if (e != null) l.add(e);
        }
        l.sort((a, b) -> Integer.compare(ifIndex(a.ifname), ifIndex(b.ifname)));
        return l;
    }

    private static int ifIndex(String ifname) {
        try {
            return Integer.parseInt(ifname.substring(3));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------- containers

    /** Who a container is, for its endpoint records and its neighbours' /etc/hosts. */
    public record Member(String id, String name, String hostname) {}

    /**
     * Puts a container (whose namespace is pinned on {@link #netnsFile}) on its networks and
     * publishes its ports. All or nothing: on failure whatever was done is undone.
     *
     * @return its endpoints, first network first
     */
    public List<Endpoint> attach(Member c, Networking net) {
        if (net.mode() != Networking.Mode.NETWORKS) return List.of();
        return locked(() -> {
            List<PublishedPort> ports = reservePorts(net.ports());
            List<Endpoint> done = new ArrayList<>();
            try {
                int i = 0;
                for (Networking.Attachment a : net.networks()) {
                    done.add(join(c, a, "eth" + i, i == 0 ? ports : List.of()));
                    i++;
                }
                refresh(done.stream().map(e -> e.network).toList());
                return done;
            } catch (RuntimeException e) {
                for (Endpoint ep : done) {
                    try {
                        leave(ep, true);
                    } catch (RuntimeException again) {
                        e.addSuppressed(again);
                    }
                }
                try {
                    refresh(done.stream().map(x -> x.network).toList());
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        });
    }

    /** Connects a running container to one more network (like {@code docker network connect}). */
    public Endpoint connect(Member c, String network, List<String> aliases) {
        return locked(() -> {
            NetworkRecord n = get(network);
            if (Files.exists(endpointFile(n.name, c.id()))) throw new ContainerException("container " + c.name() + " is already on network " + network);
            if (!Netns.mounted(netnsFile(c.id()))) throw new ContainerException("container " + c.name() + " has no network namespace of its own (network none or host)");
            int next = endpointsOf(c.id()).stream().mapToInt(e -> ifIndex(e.ifname) + 1).max().orElse(0);
            Endpoint e = join(c, new Networking.Attachment(network, aliases), "eth" + next, List.of());
            try {
                refresh(List.of(network));
            } catch (RuntimeException ex) {
                leave(e, true);
                throw ex;
            }
            return e;
        });
    }

    /** Disconnects a container from one network (like {@code docker network disconnect}). */
    public void disconnect(String containerId, String containerName, String network) {
        locked(() -> {
            Endpoint e = read(endpointFile(network, containerId), Endpoint.class);
            if (e == null) throw new ContainerException("container " + containerName + " is not on network " + network);
            leave(e, true); // the namespace stays: its interface on that network goes now
            refresh(List.of(network));
            return null;
        });
    }

    /**
     * Takes a container off all its networks and releases its addresses and ports. The caller then
     * removes the container's namespace ({@link Netns#remove}): the kernel deletes its veths with it.
     */
    public void detachAll(String containerId) {
        locked(() -> {
            List<Endpoint> eps = endpointsOf(containerId);
            RuntimeException first = null;
            for (Endpoint e : eps) {
                try {
                    leave(e, false);
                } catch (RuntimeException ex) {
                    if (first == null) first = ex;
                }
            }
            if (!eps.isEmpty()) refresh(eps.stream().map(e -> e.network).toList());
            if (first != null) throw first;
            return null;
        });
    }

    /**
     * After a crash: takes every container that is not in {@code live} (nor has a directory under
     * {@code containers/} by now) off its networks, releases addresses held with no endpoint record (a
     * crash between the two), removes netns files nobody uses, and applies the firewall rules again.
     */
    public void recover(Set<String> live) {
        locked(() -> {
            java.util.function.Predicate<String> alive = id -> live.contains(id) || Files.isDirectory(root.resolve("containers").resolve(id));
            List<String> touched = new ArrayList<>();
            Set<String> held = new java.util.HashSet<>();
            for (NetworkRecord n : list()) {
                for (Endpoint e : endpoints(n.name)) {
                    if (alive.test(e.container)) {
                        held.add(n.name + "/" + e.container);
                        continue;
                    }
                    try {
                        leave(e, true);
                    } catch (RuntimeException ignored) {
                        // best effort: the record goes anyway so the address is not held for ever
                        removeQuietly(endpointFile(e.network, e.container));
                    }
                    touched.add(n.name);
                }
            }
            for (String[] h : ipam.holders()) {
                if (!held.contains(h[0] + "/" + h[1]) && !alive.test(h[1])) ipam.release(h[0], h[1], h[2]);
            }
            Path nsDir = root.resolve("netns");
            if (Files.isDirectory(nsDir)) {
                try (var ds = Files.newDirectoryStream(nsDir)) {
                    for (Path f : ds) {
                        if (!alive.test(f.getFileName().toString())) Netns.remove(f);
                    }
                } catch (IOException e) {
                    throw new ContainerException("cannot read " + nsDir + ": " + e.getMessage(), e);
                }
            }
            if (Files.isDirectory(dir)) {
                removeQuietly(firewallState()); // whatever the kernel has now, it is made to match the records
                refresh(touched);
            }
            return null;
        });
    }

    private Endpoint join(Member c, Networking.Attachment a, String ifname, List<PublishedPort> ports) {
        NetworkRecord n = a.network().equals(NetworkSettings.DEFAULT) ? ensureDefault() : get(a.network());
        HostRoutes.Route clash = HostRoutes.clash(n.cidr(), n.bridge);
        if (clash != null) {
            throw new ContainerException("network " + n.name + ": subnet " + n.subnet + " overlaps the host's route " + clash.destination() + " on " + clash.device());
        }
        for (String alias : a.aliases()) {
            if (!alias.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) throw new ContainerException("invalid alias '" + alias + "'");
        }
        Path netns = netnsFile(c.id());
        int ip = ipam.allocate(n, c.id(), ifname);
        try {
            Links.attach(n, c.id(), netns, ifname, ip);
        } catch (RuntimeException ex) {
            ipam.release(n.name, c.id(), ifname);
            throw ex;
        }
        String address = Cidr.format(ip) + "/" + n.cidr().prefix();
        Endpoint e = new Endpoint();
        e.network = n.name;
        e.container = c.id();
        e.name = c.name();
        e.hostname = c.hostname();
        e.aliases = new ArrayList<>(a.aliases());
        e.address = address;
        e.ifname = ifname;
        e.netns = netns.toString();
        e.ports = new ArrayList<>(ports.stream().map(Endpoint::format).toList());
        try {
            write(endpointFile(n.name, c.id()), e);
            if (!ports.isEmpty()) Links.sysctl("net/ipv4/conf/" + n.bridge + "/route_localnet", "1");
        } catch (RuntimeException ex) {
            try {
                Links.deleteVeth(c.id(), n.name);
            } catch (RuntimeException again) {
                ex.addSuppressed(again);
            }
            ipam.release(n.name, c.id(), ifname);
            removeQuietly(endpointFile(n.name, c.id()));
            throw ex;
        }
        return e;
    }

    /**
     * Takes one endpoint off its network: its veth pair (now, when {@code deleteLink}; else the
     * caller removes the namespace, and the kernel deletes the pair with it), its address, its record.
     */
    private void leave(Endpoint e, boolean deleteLink) {
        if (deleteLink) Links.deleteVeth(e.container, e.network);
        ipam.release(e.network, e.container, e.ifname);
        removeQuietly(endpointFile(e.network, e.container));
    }

    /** Host ports: a free one for port 0; a taken one is refused before anything is made. */
    private List<PublishedPort> reservePorts(List<PublishedPort> wanted) {
        List<PublishedPort> l = new ArrayList<>();
        Set<String> ours = new java.util.HashSet<>();
        for (NetworkRecord n : list()) {
            for (Endpoint e : endpoints(n.name)) for (PublishedPort p : e.publishedPorts()) ours.add(p.hostPort() + "/" + p.protocol());
        }
        for (PublishedPort p : wanted) {
            PublishedPort q = p;
            if (p.hostPort() == 0) {
                q = p.withHostPort(freePort(p));
            } else {
                if (ours.contains(p.hostPort() + "/" + p.protocol()) || !bindable(p, p.hostPort())) {
                    throw new ContainerException("port " + (p.hostIp() == null ? "" : p.hostIp() + ":") + p.hostPort() + "/" + p.protocol()
                            + " is already in use on the host");
                }
            }
            if (!ours.add(q.hostPort() + "/" + q.protocol()) && p.hostPort() != 0) {
                throw new ContainerException("port " + q.hostPort() + "/" + q.protocol() + " is published twice");
            }
            l.add(q);
        }
        return l;
    }

    private static boolean bindable(PublishedPort p, int port) {
        try {
            InetAddress a = InetAddress.getByName(p.hostIp() == null ? "0.0.0.0" : p.hostIp());
            if (p.protocol().equals("udp")) {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.bind(new InetSocketAddress(a, port));
                }
            } else {
                try (ServerSocketChannel c = ServerSocketChannel.open()) {
                    c.bind(new InetSocketAddress(a, port));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(PublishedPort p) {
        try {
            InetAddress a = InetAddress.getByName(p.hostIp() == null ? "0.0.0.0" : p.hostIp());
            if (p.protocol().equals("udp")) {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.bind(new InetSocketAddress(a, 0));
                    return ((InetSocketAddress) c.getLocalAddress()).getPort();
                }
            }
            try (ServerSocketChannel c = ServerSocketChannel.open()) {
                c.bind(new InetSocketAddress(a, 0));
                return ((InetSocketAddress) c.getLocalAddress()).getPort();
            }
        } catch (IOException e) {
            throw new ContainerException("cannot find a free host port for " + p.containerPort() + "/" + p.protocol() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites what depends on the endpoints of {@code networks}: each member's /etc/hosts, and the
     * firewall rules (whole) when they differ from what this root last applied.
     */
    private void refresh(List<String> networks) {
        Map<NetworkRecord, List<Endpoint>> active = new LinkedHashMap<>();
        for (NetworkRecord n : list()) active.put(n, endpoints(n.name));
        Set<String> containers = new java.util.TreeSet<>();
        for (Map.Entry<NetworkRecord, List<Endpoint>> e : active.entrySet()) {
            if (networks.contains(e.getKey().name)) e.getValue().forEach(ep -> containers.add(ep.container));
        }
        for (String id : containers) writeHosts(id, active);
        applyFirewall(active);
    }

    /**
     * The rules follow the network records (masquerade, isolation) and the endpoints' published
     * ports. What was last applied is kept in {@code networks/.firewall}: a container that changes
     * neither (no ports) costs no nft/iptables exec. Recovery drops the file, so each engine start
     * makes the kernel's rules match again.
     */
    private void applyFirewall(Map<NetworkRecord, List<Endpoint>> all) {
        Firewall f = firewall();
        String text = f.backend() + "\n" + f.render(all);
        Path state = firewallState();
        try {
            if (Files.exists(state) && Files.readString(state).equals(text)) return;
            Files.deleteIfExists(state); // a crash in between leaves no claim the kernel has these rules
        } catch (IOException e) {
            throw new ContainerException("cannot read " + state + ": " + e.getMessage(), e);
        }
        f.apply(all);
        if (all.isEmpty()) return;
        try {
            Path tmp = state.resolveSibling(".firewall.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write " + state + ": " + e.getMessage(), e);
        }
    }

    private Path firewallState() { return dir.resolve(".firewall"); }

    /** /etc/hosts of a container on networks: its own names, then everyone it shares a user network with. */
    private void writeHosts(String id, Map<NetworkRecord, List<Endpoint>> active) {
        Path file = root.resolve("containers").resolve(id).resolve("hosts");
        if (!Files.exists(file)) return;
        Map<String, Endpoint> own = new TreeMap<>();
        for (Map.Entry<NetworkRecord, List<Endpoint>> e : active.entrySet()) {
            for (Endpoint ep : e.getValue()) if (ep.container.equals(id)) own.put(ep.ifname, ep);
        }
        if (own.isEmpty()) return;
        Endpoint first = own.values().iterator().next();
        StringBuilder s = new StringBuilder(HOSTS_HEAD);
        s.append(first.ip()).append('\t').append(first.hostname);
        if (first.name != null && !first.name.equals(first.hostname)) s.append(' ').append(first.name);
        s.append('\n');
        for (Map.Entry<NetworkRecord, List<Endpoint>> e : active.entrySet()) {
            if (!e.getKey().resolvesNames() || e.getValue().stream().noneMatch(ep -> ep.container.equals(id))) continue;
            for (Endpoint ep : e.getValue()) {
                if (ep.container.equals(id) && ep.aliases.isEmpty()) continue;
                s.append(ep.ip()).append('\t');
                List<String> names = new ArrayList<>();
                if (!ep.container.equals(id)) names.add(ep.name);
                if (!ep.container.equals(id) && ep.hostname != null && !ep.hostname.equals(ep.name)) names.add(ep.hostname);
                names.addAll(ep.aliases);
                s.append(String.join(" ", names)).append('\n');
            }
        }
        try {
            // in place: the file is bind-mounted into the container, a rename would not be seen
            Files.writeString(file, s.toString(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The lines every container's /etc/hosts starts with. */
    public static final String HOSTS_HEAD = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    // ---------------------------------------------------------------- files and the lock

    private Path recordFile(String name) { return dir.resolve(name).resolve("network.json"); }

    private Path endpointFile(String network, String container) { return dir.resolve(network).resolve("endpoints").resolve(container + ".json"); }

    private static <T> T read(Path f, Class<T> type) {
        try {
            return JSON.readValue(Files.readAllBytes(f), type);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Written to a temp file and renamed: a crash leaves the old record or the new. */
    private static void write(Path f, Object value) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(value));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static void removeQuietly(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (var s = Files.walk(p)) {
                    for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
                }
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    private <T> T locked(Supplier<T> body) {
        ReentrantLock jvm = LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        // an interrupt would close the lock's channel mid-way: changes run to the end, the flag is kept
        boolean interrupted = Thread.interrupted();
        jvm.lock();
        try {
            if (jvm.getHoldCount() > 1) return body.get();
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.get();
            }
        } catch (IOException e) {
            throw new ContainerException("cannot lock " + dir.resolve(".lock") + ": " + e.getMessage(), e);
        } finally {
            jvm.unlock();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}

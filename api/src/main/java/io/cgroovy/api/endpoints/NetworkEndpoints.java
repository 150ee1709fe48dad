package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.net.Endpoint;
import io.cgroovy.runtime.net.NetworkRecord;
import io.cgroovy.runtime.net.NetworkSettings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /networks}: create, list, inspect, remove, connect, disconnect over the engine's bridge
 * networks. "host" and "none" are listed as Docker lists them (they are not records of the engine).
 */
public final class NetworkEndpoints {
    private static final List<String> PREDEFINED = List.of("bridge", "host", "none");
    private final Engine engine;

    public NetworkEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("GET", "/networks", this::list);
        r.on("POST", "/networks/create", this::create);
        r.on("GET", "/networks/{id}", (req, res) -> res.json(200, view(req.param("id"))));
        r.on("DELETE", "/networks/{id}", this::remove);
        r.on("POST", "/networks/{id}/connect", this::connect);
        r.on("POST", "/networks/{id}/disconnect", this::disconnect);
    }

    private void list(Request req, Response res) throws IOException {
        Filters.Terms f = Filters.terms(req.query("filters", null), List.of("name", "id", "driver"));
        List<Map<String, Object>> out = new ArrayList<>();
        Failures.run(() -> engine.networks().get(NetworkSettings.DEFAULT)); // Docker always has "bridge"
        List<String> names = new ArrayList<>();
        for (NetworkRecord n : engine.networks().list()) names.add(n.name);
        names.add("host");
        names.add("none");
        for (String n : names) {
            Map<String, Object> v = view(n);
            String id = (String) v.get("Id");
            if (f.any("name", x -> n.contains(x)) && f.any("id", id::startsWith) && f.any("driver", v.get("Driver")::equals)) out.add(v);
        }
        res.json(200, out);
    }

    private void create(Request req, Response res) throws IOException {
        JsonNode b = Response.JSON.readTree(req.body());
        if (b == null || !b.isObject()) throw ApiError.badRequest("network create: the body must be a JSON object");
        String name = CreateRequest.text(b, "Name");
        if (name == null || name.isEmpty()) throw ApiError.badRequest("network create: no Name given");
        String driver = CreateRequest.text(b, "Driver");
        if (driver != null && !driver.isEmpty() && !driver.equals("bridge")) {
            throw ApiError.badRequest("network create: driver '" + driver + "' is not supported by cgroovy serve (bridge is)");
        }
        if (b.path("EnableIPv6").asBoolean(false)) throw ApiError.badRequest("network create: IPv6 is not supported by cgroovy serve yet");
        if (b.path("Labels").size() > 0) throw ApiError.badRequest("network create: Labels are not supported by cgroovy serve yet");
        JsonNode configs = b.path("IPAM").path("Config");
        if (configs.size() > 1) throw ApiError.badRequest("network create: one IPAM config (one --subnet) is supported");
        JsonNode c = configs.path(0);
        Integer mtu = null;
        JsonNode opts = b.path("Options");
        for (var it = opts.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("com.docker.network.driver.mtu")) throw ApiError.badRequest("network create: option '" + k + "' is not supported by cgroovy serve");
            try {
                mtu = Integer.parseInt(opts.path(k).asText());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("network create: invalid mtu '" + opts.path(k).asText() + "'");
            }
        }
        NetworkSettings s = Failures.call(() -> new NetworkSettings(name, blank(CreateRequest.text(c, "Subnet")),
                blank(CreateRequest.text(c, "Gateway")), blank(CreateRequest.text(c, "IPRange")), null, b.path("Internal").asBoolean(false)));
        NetworkSettings withMtu = new NetworkSettings(s.name(), s.subnet(), s.gateway(), s.ipRange(), mtu, s.internal());
        if (PREDEFINED.contains(name)) throw ApiError.conflict("network with name " + name + " already exists");
        NetworkRecord r = Failures.call(() -> engine.networks().create(withMtu));
        res.json(201, Map.of("Id", r.id, "Warning", ""));
    }

    private void remove(Request req, Response res) throws IOException {
        String name = resolve(req.param("id"));
        if (PREDEFINED.contains(name)) throw new ApiError(403, name + " is a pre-defined network and cannot be removed");
        Failures.run(() -> engine.networks().remove(name));
        res.empty(204);
    }

    private void connect(Request req, Response res) throws IOException {
        Change c = change(req, "connect");
        List<String> aliases = CreateRequest.strings(c.body().path("EndpointConfig").path("Aliases"));
        Failures.run(() -> engine.connect(c.container().id(), c.network(), aliases));
        res.empty(200);
    }

    private void disconnect(Request req, Response res) throws IOException {
        Change c = change(req, "disconnect");
        Failures.run(() -> engine.disconnect(c.container().id(), c.network()));
        res.empty(200);
    }

    /** What a connect or disconnect request names: the network (path), the container (body's Container) and the body. */
    private record Change(String network, ContainerInfo container, JsonNode body) {}

    private Change change(Request req, String verb) throws IOException {
        String name = resolve(req.param("id"));
        JsonNode b = Response.JSON.readTree(req.body());
        String container = b == null ? null : CreateRequest.text(b, "Container");
        if (container == null || container.isEmpty()) throw ApiError.badRequest("network " + verb + ": no Container given");
        return new Change(name, Failures.call(() -> engine.inspect(container)), b);
    }

    /** A network by name, full id or unique id prefix; its name. */
    private String resolve(String ref) {
        if (ref.equals("host") || ref.equals("none")) return ref;
        List<NetworkRecord> all = engine.networks().list();
        for (NetworkRecord n : all) if (n.name.equals(ref) || n.id.equals(ref)) return n.name;
        if (ref.equals(NetworkSettings.DEFAULT)) return ref;
        List<NetworkRecord> hits = all.stream().filter(n -> n.id.startsWith(ref)).toList();
        if (hits.size() == 1) return hits.get(0).name;
        if (hits.size() > 1) throw ApiError.badRequest("network id prefix '" + ref + "' is ambiguous");
        throw ApiError.notFound("network " + ref + " not found");
    }

    private Map<String, Object> view(String ref) {
        String name = resolve(ref);
        Map<String, Object> m = new LinkedHashMap<>();
        if (name.equals("host") || name.equals("none")) {
            m.put("Name", name);
            m.put("Id", name.equals("host") ? "0".repeat(63) + "1" : "0".repeat(63) + "2");
            m.put("Created", "0001-01-01T00:00:00Z");
            m.put("Scope", "local");
            m.put("Driver", name.equals("host") ? "host" : "null");
            m.put("EnableIPv6", false);
            m.put("IPAM", Map.of("Driver", "default", "Config", List.of()));
            m.put("Internal", false);
            m.put("Attachable", false);
            m.put("Ingress", false);
            m.put("Containers", Map.of());
            m.put("Options", Map.of());
            m.put("Labels", Map.of());
            return m;
        }
        NetworkRecord r = Failures.call(() -> engine.networks().get(name));
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Subnet", r.subnet);
        ipam.put("Gateway", r.gateway);
        if (r.ipRange != null) ipam.put("IPRange", r.ipRange);
        Map<String, Object> containers = new LinkedHashMap<>();
        for (Endpoint e : engine.networks().endpoints(r.name)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Name", e.name);
            c.put("EndpointID", e.container);
            c.put("MacAddress", "");
            c.put("IPv4Address", e.address);
            c.put("IPv6Address", "");
            containers.put(e.container, c);
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("com.docker.network.bridge.name", r.bridge);
        if (r.mtu != null) options.put("com.docker.network.driver.mtu", r.mtu.toString());
        m.put("Name", r.name);
        m.put("Id", r.id);
        m.put("Created", r.created);
        m.put("Scope", "local");
        m.put("Driver", "bridge");
        m.put("EnableIPv6", false);
        m.put("IPAM", Map.of("Driver", "default", "Options", Map.of(), "Config", List.of(ipam)));
        m.put("Internal", r.internal);
        m.put("Attachable", false);
        m.put("Ingress", false);
        m.put("Containers", containers);
        m.put("Options", options);
        m.put("Labels", Map.of());
        return m;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

package io.cgroovy.runtime.net;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/** A container on a network, as stored in {@code <root>/networks/<network>/endpoints/<container id>.json}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Endpoint {
    public String network;
    public String container;
    public String name;
    public String hostname;
    public List<String> aliases = new ArrayList<>();
    /** "10.89.0.2/24" */
    public String address;
    public String ifname;
    public String netns;
    /** Published ports, held by the container's first endpoint ("ip:hostPort:containerPort/proto"). */
    public List<String> ports = new ArrayList<>();

    /** The address without its prefix length. */
    public String ip() {
        int i = address == null ? -1 : address.indexOf('/');
        return i < 0 ? address : address.substring(0, i);
    }

    List<PublishedPort> publishedPorts() {
        return ports.stream().map(PublishedPort::parse).toList();
    }

    static String format(PublishedPort p) {
        return (p.hostIp() == null ? "" : p.hostIp()) + ":" + p.hostPort() + ":" + p.containerPort() + "/" + p.protocol();
    }
}

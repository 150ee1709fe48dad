package io.cgroovy.runtime.net;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** A network as stored in {@code <root>/networks/<name>.json}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class NetworkRecord {
    public String name;
    public String id;
    public String driver = "bridge";
    /** The Linux bridge device (at most 15 characters). */
    public String bridge;
    public String subnet;
    public String gateway;
    public String ipRange;
    public Integer mtu;
    public boolean internal;
    public String created;

    public NetworkSettings settings() {
        return new NetworkSettings(name, subnet, gateway, ipRange, mtu, internal);
    }

    public Cidr cidr() { return Cidr.parse(subnet, "subnet"); }

    /** Docker's default network has no name resolution; user-defined networks do. */
    public boolean resolvesNames() { return !NetworkSettings.DEFAULT.equals(name); }

    @Override
    public String toString() { return name + " (" + subnet + ", bridge " + bridge + (internal ? ", internal" : "") + ")"; }
}

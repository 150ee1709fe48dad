package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.net.NetworkRecord

/** A network at the prompt (what {@code docker network inspect} shows, in short). */
@CompileStatic
@WordScope('Network')
final class Network {
    @Word("The network's name.")
    final String name
    @Word("Its IPv4 subnet, e.g. 10.89.0.0/24.")
    final String subnet
    @Word("The bridge's address, the containers' default route.")
    final String gateway
    @Word("The range containers get addresses from (null: the whole subnet).")
    final String ipRange
    @Word("The Linux bridge device on the host.")
    final String bridge
    @Word("True when containers on it cannot reach anything outside it.")
    final boolean internal
    final Integer mtu

    Network(NetworkRecord r) {
        name = r.name; subnet = r.subnet; gateway = r.gateway; ipRange = r.ipRange; bridge = r.bridge; internal = r.internal; mtu = r.mtu
    }

    /** A network an up/plan recipe wants (not made yet): what was written, no bridge. */
    static Network planned(io.cgroovy.runtime.net.NetworkSettings s) {
        NetworkRecord r = new NetworkRecord()
        r.name = s.name(); r.subnet = s.subnet(); r.gateway = s.gateway(); r.ipRange = s.ipRange(); r.mtu = s.mtu(); r.internal = s.internal()
        new Network(r)
    }

    @Override
    String toString() { "network ${name} (${subnet}, gateway ${gateway}${internal ? ', internal' : ''})" }
}

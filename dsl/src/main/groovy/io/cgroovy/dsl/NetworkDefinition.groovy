package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.net.NetworkSettings

/** The words of a {@code network('name') { ... }} closure (docker network create's options); only records them. */
@CompileStatic
@WordScope('network')
class NetworkDefinition {
    static final List<String> WORDS = Words.names('network')

    // not named like the words: a recipe's `subnet subnet` (a param of that name) must read the param
    private String subnetWritten, gatewayWritten, ipRangeWritten
    private Integer mtuWritten
    private boolean internalWritten

    @Word(value = "The IPv4 subnet (docker network create --subnet); default: a free 10.89.x.0/24.", usage = "subnet CIDR", example = "subnet '10.89.0.0/24'")
    void subnet(String s) { subnetWritten = s }

    @Word(value = "The bridge's address (--gateway); default: the subnet's first address.", usage = "gateway IP", example = "gateway '10.89.0.1'")
    void gateway(String g) { gatewayWritten = g }

    @Word(value = "The part of the subnet containers get addresses from (--ip-range).", usage = "ipRange CIDR", example = "ipRange '10.89.0.128/25'")
    void ipRange(String r) { ipRangeWritten = r }

    @Word(value = "The MTU of the bridge and the containers' interfaces (-o mtu).", usage = "mtu N", example = "mtu 1400")
    void mtu(int m) { mtuWritten = m }

    @Word(value = "No way out of the network: no NAT, no default route (--internal).", usage = "internal true", example = "internal true")
    void internal(boolean i) { internalWritten = i }

    void internal() { internalWritten = true }

    def methodMissing(String name, Object args) {
        throw new DslException("unknown network setting '${name}'${Suggest.didYouMean(name, WORDS)}".toString())
    }

    NetworkSettings settings(String name) { new NetworkSettings(name, subnetWritten, gatewayWritten, ipRangeWritten, mtuWritten, internalWritten) }
}

package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

/**
 * A published port as {@code docker run -p} takes it: {@code 8080} (container port 8080 on a
 * free host port), {@code 18080:80}, {@code 127.0.0.1:18080:80}, {@code 8053:53/udp}.
 * A host port of 0 means "pick a free one when the container starts".
 *
 * @param hostIp null for every host address
 */
public record PublishedPort(String hostIp, int hostPort, int containerPort, String protocol) {
    public PublishedPort {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) throw new ContainerException("invalid port protocol '" + protocol + "' (tcp or udp)");
    }

    public static PublishedPort parse(String text) {
        String t = text == null ? "" : text.trim();
        String proto = "tcp";
        int slash = t.lastIndexOf('/');
        if (slash >= 0) {
            proto = t.substring(slash + 1).toLowerCase();
            t = t.substring(0, slash);
            if (!proto.equals("tcp") && !proto.equals("udp")) throw new ContainerException("invalid port '" + text + "': protocol must be tcp or udp");
        }
        String[] p = t.split(":", -1);
        String ip = null;
        String host;
        String cont;
        switch (p.length) {
            case 1 -> { host = "0"; cont = p[0]; }
            case 2 -> { host = p[0]; cont = p[1]; }
            case 3 -> { ip = p[0].isEmpty() ? null : p[0]; host = p[1].isEmpty() ? "0" : p[1]; cont = p[2]; }
            default -> throw new ContainerException("invalid port '" + text + "' (expected [ip:][hostPort:]containerPort[/udp])");
        }
        if (ip != null) Cidr.parseAddress(ip, "host address in port '" + text + "'");
        return new PublishedPort(ip, port(host, text, true), port(cont, text, false), proto);
    }

    private static int port(String s, String text, boolean zeroOk) {
        int v = s.matches("[0-9]{1,5}") ? Integer.parseInt(s) : -1;
        if (v > 65535 || v < (zeroOk ? 0 : 1)) throw new ContainerException("invalid port '" + text + "': '" + s + "' is not a port number (1-65535)");
        return v;
    }

    public PublishedPort withHostPort(int p) { return new PublishedPort(hostIp, p, containerPort, protocol); }

    @Override
    public String toString() {
        return (hostIp == null ? "0.0.0.0" : hostIp) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}

package io.cgroovy.runtime.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's IPv4 routes (/proc/net/route), to keep networks off subnets the host already uses. */
final class HostRoutes {
    record Route(String device, Cidr destination) {}

    private HostRoutes() {}

    static List<Route> read() {
        List<Route> routes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8) continue;
                int dst = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                int prefix = Integer.bitCount(mask);
                if (prefix == 0) continue; // the default route covers everything; it is no clash
                routes.add(new Route(f[0], new Cidr(dst & mask, prefix)));
            }
        } catch (IOException | RuntimeException e) {
            return routes;
        }
        return routes;
    }

    /** The first route overlapping {@code subnet} on a device other than {@code ownDevice}, or null. */
    static Route clash(Cidr subnet, String ownDevice) {
        for (Route r : read()) {
            if (!r.device().equals(ownDevice) && r.destination().overlaps(subnet)) return r;
        }
        return null;
    }
}

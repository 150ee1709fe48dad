package io.cgroovy.runtime.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's /etc/resolv.conf, as Docker makes it: the host's, without nameservers on a
 * loopback address (a local stub such as systemd-resolved's 127.0.0.53 is not reachable from a
 * container's own namespace); with systemd-resolved its upstream file is read instead; when no
 * server is left, Google's public servers, as Docker does.
 */
public final class ResolvConf {
    private ResolvConf() {}

    public static String forContainer(Path hostFile, Path resolvedUpstream) {
        List<String> lines = read(hostFile);
        if (servers(lines).isEmpty() && resolvedUpstream != null) {
            List<String> up = read(resolvedUpstream);
            if (!servers(up).isEmpty()) lines = up;
        }
        StringBuilder s = new StringBuilder();
        boolean any = false;
        for (String l : lines) {
            String t = l.trim();
            if (t.startsWith("nameserver")) {
                String[] f = t.split("\\s+");
                if (f.length < 2 || loopback(f[1])) continue;
                any = true;
            }
            s.append(l).append('\n');
        }
        if (!any) s.append("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        return s.toString();
    }

    /** The host's /etc/resolv.conf made fit for a container. */
    public static String forContainer() {
        return forContainer(Path.of("/etc/resolv.conf"), Path.of("/run/systemd/resolve/resolv.conf"));
    }

    private static List<String> servers(List<String> lines) {
        List<String> l = new ArrayList<>();
        for (String x : lines) {
            String[] f = x.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver") && !loopback(f[1])) l.add(f[1]);
        }
        return l;
    }

    static boolean loopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1");
    }

    private static List<String> read(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            return List.of();
        }
    }
}

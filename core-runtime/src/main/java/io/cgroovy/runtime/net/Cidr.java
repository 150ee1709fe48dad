package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

/** An IPv4 prefix ("10.89.0.0/24"), parsed strictly so a typo gets a one-line error, not a surprise. */
public record Cidr(int address, int prefix) {
    /** Parses "a.b.c.d/n"; {@code what} names the setting in errors ("subnet", "ip range"). */
    public static Cidr parse(String text, String what) {
        if (text == null) throw new ContainerException(what + " is missing");
        String[] p = text.trim().split("/", -1);
        if (p.length != 2) throw new ContainerException("invalid " + what + " '" + text + "' (expected a.b.c.d/n, e.g. 10.89.0.0/24)");
        int prefix;
        try {
            prefix = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > 32) throw new ContainerException("invalid " + what + " '" + text + "': prefix length must be 0-32");
        int a = parseAddress(p[0], what + " '" + text + "'");
        Cidr c = new Cidr(a, prefix);
        if (c.network() != a) {
            throw new ContainerException("invalid " + what + " '" + text + "': host bits set, did you mean " + new Cidr(c.network(), prefix) + "?");
        }
        return c;
    }

    /** Parses a dotted IPv4 address; {@code what} names it in errors. */
    public static int parseAddress(String text, String what) {
        String[] o = text.trim().split("\\.", -1);
        if (o.length != 4) throw new ContainerException("invalid " + what + ": '" + text + "' is not an IPv4 address");
        int a = 0;
        for (String s : o) {
            int v;
            try {
                v = s.matches("[0-9]{1,3}") ? Integer.parseInt(s) : -1;
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) throw new ContainerException("invalid " + what + ": '" + text + "' is not an IPv4 address");
            a = (a << 8) | v;
        }
        return a;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    public int mask() { return prefix == 0 ? 0 : -1 << (32 - prefix); }
    public int network() { return address & mask(); }
    public int broadcast() { return network() | ~mask(); }
    public long size() { return 1L << (32 - prefix); }

    public boolean contains(int a) { return (a & mask()) == network(); }
    public boolean contains(Cidr c) { return c.prefix >= prefix && contains(c.address); }
    public boolean overlaps(Cidr c) { return contains(c.address) || c.contains(address); }

    @Override
    public String toString() { return format(address) + "/" + prefix; }
}

package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

/**
 * One device cgroup rule (an OCI {@code linux.resources.devices} entry): allow or deny access of some
 * kinds to devices of a type and number. Rules apply in order, a later one overriding an earlier one.
 *
 * @param allow  true to allow, false to deny
 * @param type   'a' (all devices), 'c' (character) or 'b' (block)
 * @param major  the major number, {@link #ANY} for every one
 * @param minor  the minor number, {@link #ANY} for every one
 * @param access a non-empty subset of "rwm" (read, write, mknod)
 */
public record DeviceRule(boolean allow, char type, long major, long minor, String access) {
    public static final long ANY = -1;

    public DeviceRule {
        if (type != 'a' && type != 'c' && type != 'b') throw new ContainerException("device rule: type '" + type + "' is not a, c or b");
        if (access == null || access.isEmpty() || !access.matches("[rwm]{1,3}")) {
            throw new ContainerException("device rule: access '" + access + "' is not a subset of rwm");
        }
        if (major < ANY || minor < ANY) throw new ContainerException("device rule: negative device number " + major + ":" + minor);
    }

    /** The line for v1 devices.allow / devices.deny: "c 1:3 rwm", "a" for every device. */
    public String v1Line() {
        if (type == 'a') return "a";
        return type + " " + (major == ANY ? "*" : Long.toString(major)) + ":" + (minor == ANY ? "*" : Long.toString(minor)) + " " + access;
    }

    /** The access as the kernel's bits: mknod 1, read 2, write 4 (BPF_DEVCG_ACC_*). */
    int accessBits() {
        int bits = 0;
        if (access.indexOf('m') >= 0) bits |= 1;
        if (access.indexOf('r') >= 0) bits |= 2;
        if (access.indexOf('w') >= 0) bits |= 4;
        return bits;
    }

    /** True for the rule that allows every access to every device (a privileged container). */
    public boolean allowsEverything() {
        return allow && type == 'a' && accessBits() == 7;
    }
}

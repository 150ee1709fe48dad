package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/** A host block device by its major:minor numbers, the way blkio.throttle.* and io.max name devices. */
record BlockDevice(String path, long major, long minor) {
    String id() { return major + ":" + minor; }

    static BlockDevice of(String path) {
        Path p = Path.of(path);
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            if (!a.isOther()) throw new ContainerException("device " + path + " is not a block device (give one like /dev/vda)");
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            if ((mode & 0170000) != 0060000) throw new ContainerException("device " + path + " is not a block device (give one like /dev/vda)");
            long rdev = (Long) Files.getAttribute(p, "unix:rdev");
            // glibc's gnu_dev_major/minor
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
            return new BlockDevice(path, major, minor);
        } catch (IOException e) {
            throw new ContainerException("device " + path + ": " + CgroupFs.reason(e) + " (give a block device like /dev/vda)", e);
        }
    }
}

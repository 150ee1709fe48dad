/**
 * Views of a running container read from the kernel's own files, for people who want to see how it is made:
 * {@link io.cgroovy.runtime.inspect.Namespaces} (/proc/PID/ns), {@link io.cgroovy.runtime.inspect.CgroupView}
 * (the same fields on cgroup v1 and v2) and {@link io.cgroovy.runtime.inspect.Mounts} (/proc/PID/mountinfo).
 * Each takes a host pid (and the container's cgroup); nothing here changes anything. Every view is a record
 * with {@code toMap()} for scripts.
 */
package io.cgroovy.runtime.inspect;

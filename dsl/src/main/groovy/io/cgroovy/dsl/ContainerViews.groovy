package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.inspect.CgroupView
import io.cgroovy.runtime.inspect.Explain
import io.cgroovy.runtime.inspect.Layers
import io.cgroovy.runtime.inspect.Mounts
import io.cgroovy.runtime.inspect.Namespaces
import io.cgroovy.runtime.inspect.NetworkView
import io.cgroovy.runtime.inspect.Running

/** The views of a running container behind {@code c.namespaces}, {@code c.cgroup}, ... (core-runtime's inspect views, as {@link View}s). */
@CompileStatic
final class ContainerViews {
    private ContainerViews() {}

    static ViewList namespaces(Engine e, String ref) {
        Running r = e.running(ref)
        Map<String, Map<Long, List<String>>> others = otherContainers(e, r)
        List<Map<String, Object>> items = []
        List<String> lines = ["namespaces of ${r.name()} (host pid ${r.pid()})".toString()]
        for (Namespaces.Namespace n : Namespaces.of(r.pid())) {
            Map<String, Object> m = n.toMap()
            List<String> with = others.get(n.type())?.get(n.inode()) ?: [] as List<String>
            m.put('sharedWith', with)
            items << m
            String who = n.sharedWithHost() ? 'shared with the host' : with ? "shared with ${with.join(', ')}".toString() : 'own'
            lines << String.format('  %-7s %-11d %s', n.type(), n.inode(), who)
        }
        new ViewList(items, Explain.fit(lines.join('\n')))
    }

    /** type → inode → names of the other running detached containers in that namespace. */
    private static Map<String, Map<Long, List<String>>> otherContainers(Engine e, Running self) {
        Map<String, Map<Long, List<String>>> out = [:]
        for (ContainerInfo i : e.ps(false)) {
            if (i.id() == self.id() || i.pid() <= 0) continue
            try {
                for (Namespaces.Namespace n : Namespaces.of(i.pid())) {
                    if (n.sharedWithHost()) continue
                    out.computeIfAbsent(n.type()) { [:] as Map<Long, List<String>> }.computeIfAbsent(n.inode()) { [] as List<String> }.add(i.name())
                }
            } catch (RuntimeException gone) {
                // ended meanwhile
            }
        }
        out
    }

    static View cgroup(Engine e, String ref) {
        CgroupView v = CgroupView.of(e.running(ref).cgroup())
        new View(v.toMap(), v.toString())
    }

    static ViewList mounts(Engine e, String ref) {
        Running r = e.running(ref)
        List<Mounts.Mount> ms = Mounts.of(r.pid())
        int w = Math.min(24, (ms.collect { Mounts.Mount m -> m.mountPoint().length() }.max() ?: 1) as int)
        List<String> lines = ["mounts of ${r.name()} (/proc/${r.pid()}/mountinfo)".toString()]
        for (Mounts.Mount m : ms) lines << String.format("  %-${w}s %-8s %s", m.mountPoint(), m.fsType(), m.options())
        new ViewList(ms.collect { Mounts.Mount m -> m.toMap() }, Explain.fit(lines.join('\n')))
    }

    static View layers(Engine e, String ref) {
        Layers l = Layers.of(e.running(ref), e.images())
        new View(l.toMap(), l.toString())
    }

    static View network(Engine e, String ref) {
        NetworkView n = NetworkView.of(e.running(ref), e.networks())
        new View(n.toMap(), n.toString())
    }

    static View explain(Engine e, String ref) {
        Running r = e.running(ref)
        Layers l = Layers.of(r, e.images())
        NetworkView n = NetworkView.of(r, e.networks())
        String text = Explain.of(r.name(), r.pid(), r.cgroup(), l, n)
        Map<String, Object> data = [name: r.name(), pid: r.pid(),
                                    namespaces: Namespaces.of(r.pid()).collect { Namespaces.Namespace x -> x.toMap() },
                                    cgroup: CgroupView.of(r.cgroup()).toMap(), layers: l.toMap(), network: n.toMap(),
                                    mounts: Mounts.of(r.pid()).collect { Mounts.Mount m -> m.toMap() }] as Map<String, Object>
        new View(data, text.stripTrailing())
    }
}

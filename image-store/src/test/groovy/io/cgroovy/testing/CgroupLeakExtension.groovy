package io.cgroovy.testing

import org.spockframework.runtime.extension.IGlobalExtension
import org.spockframework.runtime.extension.IMethodInvocation
import org.spockframework.runtime.model.SpecInfo

import java.lang.reflect.Field
import java.lang.reflect.Modifier
import java.nio.file.Files
import java.nio.file.Path
import java.util.stream.Collectors

/**
 * Fails any spec that leaves a cgroup behind under the engine's subtree, on whatever cgroup layout this kernel has
 * (every v1 hierarchy, or the v2 root): after each feature (each iteration; not in a @Stepwise spec, whose features
 * are steps of one scenario) no cgroup may remain below one of the spec's cgroup parents that was not there before
 * it; after the spec class (after cleanupSpec) the parents themselves must be gone. The error names the leaked cgroup.
 *
 * <p>A spec's parents are found in its own fields (a String field whose name says "parent" or "cgroup" and whose
 * value starts with "cgroovy", also inside the engine or cgroup objects it holds), so specs that other sessions
 * run at the same time on the same machine are never counted as this spec's leaks.
 *
 * <p>Registered through META-INF/services; it reaches every module whose tests depend on image-store's test jar.
 */
class CgroupLeakExtension implements IGlobalExtension {
    static final String PREFIX = 'cgroovy'

    @Override
    void visitSpec(SpecInfo spec) {
        Set<String> parents = Collections.synchronizedSet(new TreeSet<String>())
        // the features of a @Stepwise spec are steps of one scenario (a container may live from one to the next):
        // there the check runs after the spec only
        boolean stepwise = spec.bottomSpec.reflection.isAnnotationPresent(spock.lang.Stepwise)
        if (!stepwise) spec.allFeatures.each { feature ->
            feature.addIterationInterceptor { IMethodInvocation inv ->
                Set<Path> before = engineCgroups()
                Throwable failure = null
                try {
                    inv.proceed()
                } catch (Throwable t) {
                    failure = t
                }
                Set<String> mine = parentsOf(inv.instance) + parentsOf(inv.sharedInstance)
                parents.addAll(mine)
                List<Path> left = settle { engineCgroups().findAll { d -> !before.contains(d) && mine.any { below(d, it) } }.sort() }
                AssertionError leak = left ? new AssertionError("cgroup left behind by '${inv.iteration.displayName}': " +
                        "${left[0]}${left.size() > 1 ? " (and ${left.size() - 1} more)" : ''}".toString()) : null
                if (failure != null) {
                    if (leak != null) failure.addSuppressed(leak)
                    throw failure
                }
                if (leak != null) throw leak
            }
        }
        spec.addInterceptor { IMethodInvocation inv ->
            Throwable failure = null
            try {
                inv.proceed()
            } catch (Throwable t) {
                failure = t
            }
            parents.addAll(parentsOf(inv.sharedInstance))
            List<Path> left = settle { parents.collectMany { p -> hierarchies().collect { it.resolve(p) }.findAll { Files.isDirectory(it) } } }
            AssertionError leak = left ? new AssertionError("cgroup left behind by ${spec.name}: ${left[0]}" +
                    (left.size() > 1 ? " (and ${left.size() - 1} more)" : '')) : null
            if (failure != null) {
                if (leak != null) failure.addSuppressed(leak)
                throw failure
            }
            if (leak != null) throw leak
        }
    }

    /** What {@code leftOver} finds once it finds nothing or 15 s have passed (a monitor may still be removing a cgroup). */
    static List<Path> settle(Closure<List<Path>> leftOver) {
        List<Path> left = leftOver()
        for (long end = System.currentTimeMillis() + 15_000; left && System.currentTimeMillis() < end; left = leftOver()) Thread.sleep(100)
        left
    }

    /** Whether {@code dir} lies strictly below the parent named {@code parent} in one of the hierarchies. */
    static boolean below(Path dir, String parent) {
        hierarchies().any { h -> dir.startsWith(h.resolve(parent)) && dir != h.resolve(parent) }
    }

    /** Every cgroup directory at or below a top-level "cgroovy*" cgroup, in every hierarchy. */
    static Set<Path> engineCgroups() {
        Set<Path> out = new HashSet<>()
        for (Path h : hierarchies()) {
            List<Path> tops
            try {
                tops = Files.list(h).withCloseable { s -> s.filter { it.fileName.toString().startsWith(PREFIX) && Files.isDirectory(it) }.collect(Collectors.toList()) }
            } catch (IOException ignored) {
                continue
            }
            for (Path top : tops) {
                try {
                    Files.walk(top).withCloseable { s -> s.filter { Files.isDirectory(it) }.forEach { out.add(it) } }
                } catch (IOException | UncheckedIOException ignored) {
                    // removed while walking: it is not left behind
                }
            }
        }
        out
    }

    /** The mount points of every cgroup and cgroup2 file system, from /proc/self/mountinfo. */
    static List<Path> hierarchies() {
        Path mi = Path.of('/proc/self/mountinfo')
        if (!Files.isReadable(mi)) return []
        Files.readAllLines(mi).findResults { String line ->
            String[] halves = line.split(' - ', 2)
            if (halves.length < 2) return null
            String fs = halves[1].split(' ')[0]
            (fs == 'cgroup' || fs == 'cgroup2') ? Path.of(unescape(halves[0].split(' ')[4])) : null
        }.unique()
    }

    static String unescape(String s) { s.replaceAll(/\\([0-7]{3})/) { all, oct -> new String([Integer.parseInt(oct, 8)] as char[]) } }

    /** The cgroup parent names a spec instance holds, in its fields and one or two objects deep (engines, cgroups). */
    static Set<String> parentsOf(Object spec) {
        Set<String> out = new TreeSet<>()
        if (spec != null) collect(spec, 0, out, Collections.newSetFromMap(new IdentityHashMap<Object, Boolean>()))
        out
    }

    private static void collect(Object o, int depth, Set<String> out, Set<Object> seen) {
        if (o == null || depth > 3 || !seen.add(o)) return
        for (Class<?> c = o.getClass(); c != null && c != Object; c = c.superclass) {
            if (depth > 0 && !c.name.startsWith('io.cgroovy.')) break
            for (Field f : c.declaredFields) {
                if (Modifier.isStatic(f.modifiers) || f.synthetic || f.type.primitive) continue
                Object v
                try {
                    f.accessible = true
                    v = f.get(o)
                } catch (Exception ignored) {
                    continue
                }
                if (v instanceof CharSequence) {
                    String s = v.toString()
                    String n = f.name.toLowerCase()
                    if ((n.contains('parent') || n.contains('cgroup')) && s.startsWith(PREFIX) && !s.contains('..')) {
                        out.add(s.split('/')[0])
                    }
                } else if (v != null && v.getClass().name.startsWith('io.cgroovy.')) {
                    collect(v, depth + 1, out, seen)
                }
            }
        }
    }
}

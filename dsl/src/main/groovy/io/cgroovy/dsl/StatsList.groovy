package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.cgroup.Stats

/**
 * {@code stats()}: one sample of the cgroup usage of running containers, printed as Docker's
 * {@code docker stats} table. {@link #refresh} takes the next sample; CPU % is the CPU time used
 * between two samples over the wall time between them ("--" in the first sample).
 * {@link #live}: the shell redraws it until a key is pressed.
 */
@CompileStatic
class StatsList extends ArrayList<StatsList.Sample> {
    public static final List<String> HEADERS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS'].asImmutable()

    /** One container's usage at one moment. */
    @CompileStatic
    static final class Sample {
        final String id
        final String name
        final Stats stats
        final long atNanos

        Sample(String id, String name, Stats stats, long atNanos) {
            this.id = id; this.name = name; this.stats = stats; this.atNanos = atNanos
        }
    }

    private final Session session
    /** The containers asked for (ids or names); empty: every running container. */
    private final List<String> refs
    private final Map<String, Sample> previous
    /** True for {@code stats(c)}: the shell keeps refreshing it until a key is pressed. */
    final boolean live

    private StatsList(Session session, List<String> refs, boolean live, Map<String, Sample> previous, List<Sample> samples) {
        super(samples)
        this.session = session
        this.refs = refs
        this.live = live
        this.previous = previous
    }

    /** A first sample of {@code refs} (all running containers when empty). */
    static StatsList sample(Session session, List<String> refs, boolean live) {
        take(session, refs, live, [:])
    }

    /** The next sample of the same containers (a container that ended is left out). */
    StatsList refresh() {
        Map<String, Sample> last = [:]
        for (Sample s : this) last.put(s.id, s)
        take(session, refs, live, last)
    }

    private static StatsList take(Session session, List<String> refs, boolean live, Map<String, Sample> previous) {
        Engine e = session.engine()
        List<String> wanted = refs ?: e.ps(false).collect { ContainerInfo i -> i.id() }
        List<Sample> samples = []
        for (String ref : wanted) {
            try {
                String id = ref
                String name = ref
                try {
                    ContainerInfo i = e.inspect(ref)
                    id = i.id(); name = i.name()
                } catch (RuntimeException notDetached) {
                    // a foreground container: the engine knows it by the ref given
                }
                samples << new Sample(id, name, e.cgroupOf(ref).stats(), System.nanoTime())
            } catch (RuntimeException ended) {
                if (refs && previous.isEmpty()) throw new DslException("stats: ${ref}: ${Errors.message(ended)}")
            }
        }
        new StatsList(session, refs, live, previous, samples)
    }

    /** One row per container. */
    List<List<String>> rows() {
        List<List<String>> rows = []
        for (Sample s : this) {
            Stats st = s.stats
            Sample before = previous.get(s.id)
            String cpu = '--'
            if (before != null && s.atNanos > before.atNanos) {
                double pct = (st.cpuUsageNanos() - before.stats.cpuUsageNanos()) * 100.0d / (s.atNanos - before.atNanos)
                cpu = String.format(Locale.ROOT, '%.2f%%', Math.max(0.0d, pct))
            }
            Long limit = st.memoryLimitBytes()
            String mem = binary(st.memoryUsageBytes()) + ' / ' + (limit == null ? 'unlimited' : binary(limit))
            String memPct = limit == null || limit == 0 ? '--' : String.format(Locale.ROOT, '%.2f%%', st.memoryUsageBytes() * 100.0d / limit)
            String pids = st.pidsCurrent() + (st.pidsMax() == null ? '' : " / ${st.pidsMax()}".toString())
            List<String> row = [s.id.length() > 12 ? s.id.substring(0, 12) : s.id, s.name, cpu, mem, memPct, pids]
            rows.add(row)
        }
        rows
    }

    /** Docker stats' sizes: binary units, two decimals ("1.5MiB"). */
    static String binary(long bytes) {
        String[] units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as String[]
        double v = bytes
        int i = 0
        while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
        i == 0 ? "${bytes}B".toString() : String.format(Locale.ROOT, '%.2f%s', v, units[i])
    }

    @Override
    String toString() {
        ([HEADERS] + rows()).collect { List<String> r -> r.join('   ') }.join('\n')
    }
}

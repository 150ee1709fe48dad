package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.trace.Trace

import java.util.Locale

/** What {@code trace { }} gives: per container run, each step the engine and the executor took, and how long. */
@CompileStatic
final class TraceView {
    private TraceView() {}

    static View of(Trace trace, long wallNanos) {
        List<Map<String, Object>> runs = []
        List<String> lines = []
        for (Trace.Run r : trace.runs()) {
            List<Map<String, Object>> steps = r.steps().collect { Trace.Step s ->
                [what: s.what(), by: s.by(), startNanos: s.startNanos(), nanos: s.nanos()] as Map<String, Object>
            }
            runs << ([name: r.name(), totalNanos: r.totalNanos(), steps: steps] as Map<String, Object>)
            lines << "run ${r.name()}: ${ms(r.totalNanos())} ms in all".toString()
            lines << '        ms  by        step'
            for (Trace.Step s : r.steps()) lines << String.format(Locale.ROOT, '%10s  %-8s  %s', ms(s.nanos()), s.by(), s.what())
        }
        if (runs.isEmpty()) lines << 'trace: no container started and nothing was pulled'
        lines << "trace: ${ms(wallNanos)} ms for the whole closure".toString()
        new View([runs: runs, wallNanos: wallNanos] as Map<String, Object>, View.cut(lines.join('\n'), 80))
    }

    static String ms(long nanos) { nanos < 0 ? '-' : String.format(Locale.ROOT, '%.3f', nanos / 1e6d) }
}

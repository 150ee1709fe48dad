package io.cgroovy.runtime.trace

import io.cgroovy.image.Snapshot
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.TestEngine
import io.cgroovy.runtime.TestImages
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files

/**
 * A traced run 'true': the engine's phases and the executor's own timing of each launch-plan step, which add up to
 * no more than the time the spec measures around the run.
 */
@IgnoreIf({ !TestImages.isRoot() })
@Timeout(300)
class TraceSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('trace')
    @Shared Snapshot image = fixture.image
    @Shared Engine engine = fixture.engine

    def cleanup() {
        Trace.end()
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
    }

    def "a traced run 'true' lists clone, the mounts, pivot_root and execve; the steps add up to no more than the measured total"() {
        given:
        def settings = new ContainerSettings('test/busybox', null, ['true'], [:], null, null, null, null)

        when:
        Trace trace = Trace.begin()
        long start = System.nanoTime()
        def result = engine.run(image, settings, Stdio.of(null, new ByteArrayOutputStream(), new ByteArrayOutputStream()))
        long measured = System.nanoTime() - start
        Trace.end()
        def run = trace.runs()[0]
        def steps = run.steps()
        def executor = steps.findAll { it.by() == 'executor' }

        then:
        result.exitCode() == 0
        trace.runs().size() == 1
        run.name() == result.name()
        executor*.what().any { it.startsWith('clone: ') }
        executor*.what().count { it.startsWith('mount: ') } >= 3
        executor*.what().any { it.startsWith('pivot-root: ') }
        executor.last().what().startsWith('exec: ')
        executor*.what().findIndexOf { it.startsWith('pivot-root: ') } < executor*.what().findIndexOf { it.startsWith('exec: ') }
        steps*.what().any { it.startsWith('cgroup: ') }
        steps.every { it.nanos() >= 0 }

        and: 'in order, one after the other, within the measured time'
        (1..<executor.size()).every { executor[it].startNanos() == executor[it - 1].startNanos() + executor[it - 1].nanos() }
        steps.sum { it.nanos() } <= measured
        steps.sum { it.nanos() } <= run.totalNanos()
        executor.sum { it.nanos() } <= measured
        run.totalNanos() <= measured
    }

    def "a traced detached start: the engine's phases and the executor's steps up to execve, the monitor's report last; restarts are not traced"() {
        given:
        def settings = new ContainerSettings('test/busybox', null, ['sleep', '30'], [:], null, null, null, null)

        when:
        Trace trace = Trace.begin()
        long start = System.nanoTime()
        ContainerInfo info = engine.runDetached(image, settings, DetachOptions.DEFAULT)
        long measured = System.nanoTime() - start
        Trace.end()
        def run = trace.runs()[0]
        def steps = run.steps()
        def executor = steps.findAll { it.by() == 'executor' }

        then:
        trace.runs().size() == 1
        run.name() == info.name()
        steps*.what().any { it.startsWith('cgroup: ') }
        executor*.what().any { it.startsWith('pivot-root: ') }
        executor.last().what().startsWith('exec: ')
        steps.last().what().startsWith('monitor: ')
        steps.sum { it.nanos() } <= measured
        run.totalNanos() <= measured
        !Files.exists(engine.root().resolve('containers').resolve(info.id()).resolve('trace'))

        cleanup:
        if (info != null) engine.remove(info.id(), true)
    }

    def "without a trace nothing is recorded and the executor gets no trace file"() {
        when:
        engine.run(image, new ContainerSettings('test/busybox', null, ['true'], [:], null, null, null, null),
                Stdio.of(null, new ByteArrayOutputStream(), new ByteArrayOutputStream()))

        then:
        Trace.current() == null
        Trace.startRun('x') == null
    }
}

package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Path

/**
 * A spec on its own {@link TestEngine} (named by {@link #engineName}): DSL code evaluated with the
 * containers' output in {@code out} and {@code err}; each feature's containers removed after it,
 * before the cgroup leak check that follows it.
 */
abstract class TestEngineSpecification extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine(engineName())
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    /** Whose engine it is, in its temporary directory's and cgroup parent's names. */
    abstract String engineName()

    def cleanup() { fixture.removeContainers() }

    protected Object eval(String code) { fixture.eval(code, out, err) }
}

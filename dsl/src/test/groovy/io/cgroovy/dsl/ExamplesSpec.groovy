package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path

/**
 * Every recipe in scripts/examples/ runs (root, real containers) with its own state root and cgroup
 * parent, ends with status 0, prints what it promises, and leaves no container behind.
 * A new example must be added to {@link #EXAMPLES}, or the first feature fails.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class ExamplesSpec extends Specification {
    static final Path DIR = Path.of('..', 'scripts', 'examples').toAbsolutePath().normalize()

    /** example file → [params, recipe args, a line its output must contain] */
    static final Map<String, List> EXAMPLES = [
            'build-then-run.cgroovy': [[tag: 'site:test'], [], 'hello from an image built by cgroovy'],
            'hello.cgroovy'      : [[:], ['examples'], 'hello, examples, from hello'],
            'oneshot-job.cgroovy': [[count: '500'], [], 'sum 1..500 = 125250'],
    ]

    /** The examples that need bridge networks (nftables or iptables-legacy): the same, skipped with a reason where the kernel has neither. */
    static final Map<String, List> NETWORK_EXAMPLES = [
            'web-server.cgroovy'  : [[port: String.valueOf(freePort())], [], 'says: hello from busybox httpd'],
            'two-services.cgroovy': [[net: 'ex-' + UUID.randomUUID().toString().substring(0, 8)], [], 'hello from api'],
    ]

    @Shared @AutoCleanup TestEngine fixture = new TestEngine('examples')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    def "every example is run by this spec"() {
        expect:
        Files.list(DIR).withCloseable { s -> s.map { it.fileName.toString() }.filter { it.endsWith('.cgroovy') }.sorted().toList() } ==
                (EXAMPLES.keySet() + NETWORK_EXAMPLES.keySet()).sort()
    }

    @Unroll
    def "example #file runs and exits 0"() {
        expect:
        runs(file, EXAMPLES[file])

        where:
        file << EXAMPLES.keySet().sort()
    }

    @Unroll
    @spock.lang.Requires(value = { TestImages.firewallWorks() }, reason = 'needs nftables or iptables-legacy in the kernel for bridge networks')
    def "network example #file runs, exits 0 and leaves no network"() {
        expect:
        runs(file, NETWORK_EXAMPLES[file])
        engine.networks().list().findAll { it.name != 'bridge' } == []

        where:
        file << NETWORK_EXAMPLES.keySet().sort()
    }

    /** Runs one example as {@code spec} says and checks what every example promises. */
    private boolean runs(String file, List spec) {
        // a copy beside its own lock file (the examples directory stays clean)
        Path copy = Files.createTempDirectory(tmp, 'ex').resolve(file)
        Files.copy(DIR.resolve(file), copy)
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        Session session = Session.using(engine)
        session.detachStdin(out, err)
        PrintStream stdout = System.out
        System.out = new PrintStream(new TeeOutputStream(out, stdout), true)   // the recipe's println too

        int status
        try {
            status = Recipe.run(copy, new RecipeOptions(file: copy.toString(), params: spec[0], args: spec[1]), session, new PrintStream(err, true))
        } finally {
            System.out = stdout
        }

        assert err.toString() == ''
        assert status == 0
        assert out.toString().readLines().any { it.contains(spec[2]) }
        assert Files.exists(copy.resolveSibling(file + '.lock'))
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        true
    }

    /** A port nothing listens on now (the kernel's pick). */
    static int freePort() { new ServerSocket(0).withCloseable { it.localPort } }

    /** Writes to two streams. */
    static class TeeOutputStream extends OutputStream {
        final OutputStream a, b
        TeeOutputStream(OutputStream a, OutputStream b) { this.a = a; this.b = b }
        @Override void write(int x) { a.write(x); b.write(x) }
        @Override void write(byte[] bytes, int off, int len) { a.write(bytes, off, len); b.write(bytes, off, len) }
        @Override void flush() { a.flush(); b.flush() }
    }
}

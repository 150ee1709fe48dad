package io.cgroovy.dsl

import groovy.transform.CompileStatic
import groovy.transform.ThreadInterrupt
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer

/**
 * Evaluates shell input one snippet at a time with one binding, so variables persist across
 * lines ({@code c = container('busybox') {...}} then {@code c.exitCode}; {@code def c = ...} too). Loops and closures
 * check for thread interruption, so the shell can interrupt a runaway line.
 */
@CompileStatic
class Interpreter implements Closeable {
    final Session session
    final Binding binding = new Binding()
    private final GroovyShell shell

    /** {@code out} receives the snippets' println output. */
    Interpreter(Session session, PrintStream out) { this(session, new PrintWriter(out, true)) }

    Interpreter(Session session, PrintWriter out) {
        this.session = session
        binding.setVariable(Session.VARIABLE, session)
        binding.setVariable('out', out)
        CompilerConfiguration config = Recipe.compilerConfiguration()
        config.addCompilationCustomizers(new ASTTransformationCustomizer(ThreadInterrupt), new TopLevelDeclarations())
        shell = new GroovyShell(Interpreter.classLoader, binding, config)
    }

    /** Evaluates {@code code}; the value of its last expression. Throws what the code throws ({@link ExitRequest} for exit). */
    Object eval(String code) {
        session.cancelled = false
        shell.evaluate(code)
    }

    /** Ctrl-C: stops what {@code thread} (the one in {@link #eval}) is doing; a running container is stopped. */
    void interrupt(Thread thread) { session.cancel(thread) }

    /** The status to leave with when input ends: the last foreground container's exit code, else 0. */
    int exitStatus() { session.lastExitCode ?: 0 }

    @Override
    void close() { session.close() }
}

package io.cgroovy.api

import io.cgroovy.dsl.Errors
import io.cgroovy.dsl.Interpreter
import io.cgroovy.dsl.Session
import io.cgroovy.runtime.Engine

/**
 * DSL snippets run as the shell runs them, each on a new session over {@link #engine} (so an
 * `engine` word in one does not carry over to the next); what containers print goes to out and err.
 * The engine-word specs (EngineWordSpec, TlsCliSpec, SshEngineSpec) run their recipes through it.
 */
class DslRunner {
    Engine engine
    ByteArrayOutputStream out
    ByteArrayOutputStream err
    /** Where the engine word reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH; null: this process's environment. */
    Map<String, String> environment

    /** The snippet's last value. */
    Object eval(String code) {
        new Interpreter(session(), quiet()).withCloseable { it.eval(code) }
    }

    /** The one-line error the snippet fails with; an AssertionError when it does not fail. */
    String failure(String code) {
        try {
            eval(code)
        } catch (Exception e) {
            return Errors.message(e)
        }
        throw new AssertionError("no error from: ${code}")
    }

    /**
     * Runs the snippet on a thread of its own and, once out shows {@code shown} (30 s at most),
     * gives it Ctrl-C as the shell does; waits up to 60 s for the thread to end.
     */
    Interrupted interruptWhenShown(String shown, String code) {
        Session session = session()
        Interpreter shell = new Interpreter(session, quiet())
        Interrupted run = new Interrupted()
        try {
            Thread t = Thread.start {
                try {
                    run.result = shell.eval(code)
                } catch (Throwable e) {
                    run.failed = e
                }
            }
            long end = System.currentTimeMillis() + 30_000
            while (!out.toString().contains(shown) && System.currentTimeMillis() < end) Thread.sleep(50)
            shell.interrupt(t)
            t.join(60_000)
            run.failed?.printStackTrace()
            run.alive = t.alive
            run.cancelled = session.cancelled
            run
        } finally {
            shell.close()
        }
    }

    /** What {@link #interruptWhenShown} saw: the snippet's value or error, its thread still running, the session cancelled. */
    static class Interrupted {
        Object result
        Throwable failed
        boolean alive
        boolean cancelled
    }

    private Session session() {
        Session session = Session.using(engine)
        if (environment != null) session.environment = environment
        session.detachStdin(out, err)
        session
    }

    private static PrintStream quiet() { new PrintStream(new ByteArrayOutputStream()) }
}

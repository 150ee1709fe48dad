package io.cgroovy.dsl

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Snippet evaluation as the shell uses it, without the engine. */
class InterpreterSpec extends Specification {
    @TempDir Path dir
    ByteArrayOutputStream out = new ByteArrayOutputStream()
    Interpreter interpreter

    def setup() { interpreter = new Interpreter(Session.at(dir.resolve('root')), new PrintStream(out, true)) }

    def cleanup() { interpreter.close() }

    def "variables persist from one snippet to the next"() {
        expect:
        interpreter.eval('x = 1 + 1') == 2
        interpreter.eval('x * 10') == 20
        interpreter.eval('f = { it + x }') instanceof Closure
        interpreter.eval('f(5)') == 7
    }

    def "println writes to the interpreter's output"() {
        when:
        interpreter.eval('println "hello"')

        then:
        out.toString() == 'hello\n'
    }

    def "exit is an ExitRequest with the status; nothing else ends the session"() {
        when:
        interpreter.eval('exit 7')

        then:
        ExitRequest e = thrown()
        e.status == 7
        interpreter.exitStatus() == 0
        !Files.exists(dir.resolve('root'))
    }

    def "a validation error reaches the caller as one line"() {
        when:
        interpreter.eval("container('busybox') { memroy '1g' }")

        then:
        DslException e = thrown()
        Errors.message(e) == "unknown setting 'memroy' — did you mean 'memory'?"
    }

    def "a runaway loop stops when its thread is interrupted"() {
        given:
        Throwable failure = null
        Thread t = Thread.start { try { interpreter.eval('while (true) { }') } catch (Throwable e) { failure = e } }

        when:
        sleep 300
        t.interrupt()
        t.join(5000)

        then:
        !t.alive
        Errors.message(failure) == 'interrupted'
    }
}

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

    def "top-level def and typed declarations persist too; locals in closures and methods stay local"() {
        expect:
        interpreter.eval('def a = 5') == 5
        interpreter.eval('String s = "x"; int n = a + 1') == 6
        interpreter.eval('def u') == null
        interpreter.eval('[a, s, n, u]') == [5, 'x', 6, null]
        interpreter.eval('def f() { def inner = 1; inner }; [1].each { def c = 2 }; f()') == 1
        interpreter.eval('f()') == 1
        !interpreter.binding.hasVariable('inner')
        !interpreter.binding.hasVariable('c')
        interpreter.eval("def m = '64m'; def spec = new io.cgroovy.dsl.ContainerSpec(4); spec.script = this; " +
                "spec.with { memory m }; spec.settings('busybox').resources().memoryBytes()") == 64L * 1024 * 1024
    }

    def "a method defined on one line can be called on the next, also recursively"() {
        expect:
        interpreter.eval('def fact(n) { n <= 1 ? 1 : n * fact(n - 1) }') instanceof Closure
        interpreter.eval('fact(5)') == 120
        interpreter.eval('int twice(int n) {\n  return n * 2\n}\ntwice(4)') == 8
        interpreter.eval('def noArgs() { "x" }; noArgs() + twice(1)') == 'x2'
        interpreter.eval('def withDefault(a, b = 10) { a + b }; withDefault(1)') == 11
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

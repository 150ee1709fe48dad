package io.cgroovy.dsl

import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path

/** Recipes that never reach the engine: exit status, and errors as "file:line: message". */
class RecipeSpec extends Specification {
    @TempDir Path dir
    Path root
    Session session
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream()

    def setup() {
        root = dir.resolve('root')   // never created: proves the engine was not opened
        session = Session.at(root)
    }

    def cleanup() { session.close() }

    private int run(String text, List<String> args = []) { run('r.cgroovy', text, args) }

    private int run(String name, String text, List<String> args) {
        Path f = dir.resolve(name)
        Files.writeString(f, text)
        Recipe.run(f, args, session, new PrintStream(errBytes, true))
    }

    private String getErr() { errBytes.toString().trim() }

    def "an explicit exit gives the status"() {
        expect:
        run('exit 3') == 3
        err == ''
    }

    def "a recipe without containers or exit ends with 0, a shebang line is fine"() {
        expect:
        run('#!/usr/bin/env -S cgroovy run\nx = 1 + 1\nassert x == 2\n') == 0
        err == ''
        !Files.exists(root)
    }

    def "args are the script's args"() {
        expect:
        run('exit args.length * 10 + (args[1] as int)', ['a', '7']) == 27
    }

    def "exit is not swallowed by catch (e)"() {
        expect:
        run('try { exit 5 } catch (e) { }\nexit 6') == 5
    }

    def "a misspelt word inside a container closure names the file, the line and the fix"() {
        when:
        int status = run('''#!/usr/bin/env -S cgroovy run
// a recipe with a typo
container('busybox') {
    memory '64m'
    memroy '1g'
    run 'echo hi'
}
''')

        then:
        status == 1
        err == "${dir.resolve('r.cgroovy')}:5: unknown setting 'memroy' — did you mean 'memory'?"
        !Files.exists(root)
    }

    def "a bad value points at the line it was written on, though it is checked when the closure ends"() {
        when:
        int status = run('''container('busybox') {
    hostname 'box'
    pids 0
    env FOO: 'bar'
}
''')

        then:
        status == 1
        err == "${dir.resolve('r.cgroovy')}:3: pids 0: must be greater than 0"
        !Files.exists(root)
    }

    @Unroll
    def "#what: #message"() {
        when:
        int status = run('bad-recipe.cgroovy', text, [])

        then:
        status == 1
        err == "${dir.resolve('bad-recipe.cgroovy')}:${line}: ${message}"

        where:
        what                       | text                                                   || line | message
        'memory lots'              | "container('busybox') { memory 'lots' }"                || 1    | "memory 'lots': not a size (use e.g. 512m, 1g)"
        'cpus -1'                  | "\ncontainer('busybox') { cpus -1 }"                    || 2    | 'cpus -1: must be greater than 0'
        'a misspelt top-level word'| "x = 1\ncontaner('busybox') { run 'ls' }"               || 2    | "unknown word 'contaner' — did you mean 'container'?"
        'a setting outside'        | "memory '64m'"                                          || 1    | "unknown word 'memory' — 'memory' goes inside container(image) { ... }"
        'an unknown variable'      | "x = 1\nprintln y"                                      || 2    | "unknown variable 'y'"
        'user code throwing'       | "\n\nthrow new IllegalStateException('boom')"           || 3    | 'boom'
        'a syntax error'           | "container('busybox') {\n  memory '64m'\n  run 'x' )\n}" || 3    | "Unexpected input: ')'"
        'options as words'         | "container('busybox', memroy: '1g')"                    || 1    | "unknown setting 'memroy' — did you mean 'memory'?"
        'no image at all'          | "\ncontainer { memory '64m' }"                          || 2    | "container: no image given (container('busybox') { ... } or image 'busybox' inside)"
        'two images'               | "container('busybox') {\n image 'alpine'\n}"            || 2    | "image 'alpine': the container already has image 'busybox'"
        'image misspelt'           | "container(name: 'web') { imgae 'busybox' }"            || 1    | "unknown setting 'imgae' — did you mean 'image'?"
    }

    def "the script's own methods, variables and closures are reachable inside a container closure"() {
        when:
        int status = run('''def mem() { '64m' }
limit = 0
label = { "web-$it" }
container('busybox') {
    memory mem()
    name label(1)
    pids limit
}
''')

        then:
        status == 1
        err.endsWith(":7: pids 0: must be greater than 0")
    }

    def "a closure kept in the binding can be called like a word"() {
        expect:
        run('quit = { n -> exit n }\nquit(4)') == 4
    }

    def "a missing recipe file is a usage error"() {
        expect:
        Recipe.run(dir.resolve('nope.cgroovy'), [], session, new PrintStream(errBytes, true)) == 2
        err == "cgroovy: ${dir.resolve('nope.cgroovy')}: no such file"
    }

    @Unroll
    def "a recipe named #name runs and reports its lines"() {
        when:
        int status = run(name, "x = 1\n\ncontainer('busybox') { pids 0 }\n", [])

        then:
        status == 1
        err == "${dir.resolve(name)}:3: pids 0: must be greater than 0"

        where:
        name << ['long.cgroovy', '1st.cgroovy', 'my recipe.cgroovy', 'class', 'x.y.cgroovy']
    }
}

package io.cgroovy.shell

import io.cgroovy.dsl.Session
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/** The shell reading piped input (no terminal), in this JVM with real streams; no engine needed. */
class ShellSpec extends Specification {
    @TempDir Path dir
    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    private int shell(String input, String... args) {
        Session session = Session.at(dir.resolve('root'))
        try {
            Main.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, 'UTF-8'), new PrintStream(err, true, 'UTF-8'), session, false)
        } finally {
            session.close()
        }
    }

    private List<String> getOutLines() { out.toString('UTF-8').readLines() }

    private List<String> getErrLines() { err.toString('UTF-8').readLines() }

    def "values persist across lines, a multi-line closure is one snippet, a bad line does not stop the shell"() {
        when:
        int status = shell('''x = 1 + 1
x
twice = { n ->
    n * 2
}
container('busybox') {
    memroy '1g'
}
bogus()
y = twice(x)
println "y is $y"
''')

        then:
        status == 0
        outLines == ['==> 2', '==> 2', '==> closure', '==> 4', 'y is 4']
        errLines.size() == 2
        errLines[0] == "error: unknown setting 'memroy' — did you mean 'memory'?"
        errLines[1].startsWith("error: unknown word 'bogus'")   // (a suggestion may follow as the DSL grows)
        !Files.exists(dir.resolve('root'))   // nothing reached the engine
    }

    def ":load runs a recipe into the session and its variables stay; :reset forgets them"() {
        given:
        Path recipe = dir.resolve('greet.cgroovy')
        Files.writeString(recipe, "greeting = 'hi from a recipe'\nshout = { it.toUpperCase() }\n")

        when:
        int status = shell(":load ${recipe}\ngreeting\nshout(greeting)\n:reset\ngreeting\n:load ${dir.resolve('nope.cgroovy')}\n")

        then:
        status == 0
        outLines.containsAll(['==> hi from a recipe', '==> HI FROM A RECIPE', '==> variables cleared'])
        outLines.indexOf('==> variables cleared') > outLines.indexOf('==> HI FROM A RECIPE')
        errLines == ["error: unknown variable 'greeting'", "error: cannot read ${dir.resolve('nope.cgroovy')}: no such file".toString()]
    }

    def "void and null print nothing, other values print Groovy's way"() {
        when:
        int status = shell('println "hi"\nnull\n[a: 1]\n')

        then:
        status == 0
        outLines == ['hi', '==> [a:1]']
        errLines == []
    }

    def "brackets inside strings and comments do not continue the line"() {
        when:
        shell('s = "{ ["\n// a comment {\n/* { */ 1 + 2\n')

        then:
        outLines == ['==> { [', '==> 3']
        errLines == []
    }

    def "exit N leaves with N and evaluates nothing after it"() {
        when:
        int status = shell('exit 3\nprintln "after"\n')

        then:
        status == 3
        outLines == []
    }

    def "input that ends inside a bracket is evaluated and reported, not dropped"() {
        when:
        int status = shell('println "before"\nlist = [1,\n2\n')

        then:
        status == 0
        outLines == ['before']
        errLines.size() == 1 && errLines[0].startsWith('error: ')
    }

    def "empty input exits 0"() {
        expect:
        shell('') == 0
    }

    def "--help prints usage; a wrong command or a missing recipe is a usage error"() {
        expect:
        shell('', '--help') == 0
        out.toString().contains('cgroovy run FILE')
        shell('', 'frobnicate') == 2
        err.toString().contains("cgroovy: unknown command 'frobnicate'")
        shell('', 'run') == 2
        shell('', 'run', dir.resolve('missing.cgroovy').toString()) == 2
    }

    def "run FILE runs a recipe with its args and exits with its status"() {
        given:
        Path recipe = dir.resolve('r.cgroovy')
        Files.writeString(recipe, '#!/usr/bin/env -S cgroovy run\nexit args[0] as int\n')

        expect:
        shell('', 'run', recipe.toString(), '9') == 9
    }

    def "lock FILE writes the recipe's lock and lists its pins; it is in the usage"() {
        given:
        Path recipe = dir.resolve('plain.cgroovy')
        Files.writeString(recipe, "params { port 8080 }\n")

        expect:
        shell('', 'lock', recipe.toString(), '-p', 'port=9') == 0
        outLines == ["${recipe}.lock: 0 images pinned".toString()]
        Files.readString(dir.resolve('plain.cgroovy.lock')).contains('"images" : { }')

        and:
        shell('', '--help') == 0
        out.toString('UTF-8').contains('cgroovy lock FILE')
    }

    def "the parser continues exactly while a bracket is open"() {
        given:
        def p = Shell.parser()

        expect:
        Shell.complete(p, snippet) == whole

        where:
        snippet                                  | whole
        'x = 1'                                  | true
        "container('busybox') {"                 | false
        "container('busybox') {\n run 'ls'\n}"   | true
        'f('                                     | false
        '[1,'                                    | false
        '"{"'                                    | true
        '// {'                                   | true
    }
}

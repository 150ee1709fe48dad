package io.cgroovy.dsl

import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/** params { } with defaults and typed -p values, the command line of recipe verbs, and refusals; no engine. */
class RecipeParamsSpec extends Specification {
    @TempDir Path dir
    Path root
    Session session
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream()
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream()

    def setup() {
        root = dir.resolve('root')   // never created: proves the engine was not opened
        session = Session.at(root)
    }

    def cleanup() { session.close() }

    private Path write(String text, String name = 'env.cgroovy') {
        Path f = dir.resolve(name)
        Files.writeString(f, text)
        f
    }

    /** The command line {@code cgroovy run WORDS} with the recipe file named env.cgroovy in dir. */
    private int cli(String text, List<String> words) {
        Path f = write(text)
        RecipeCommand.run('run', words.collect { it == 'FILE' ? f.toString() : it }, session,
                new PrintStream(outBytes, true), new PrintStream(errBytes, true))
    }

    private String getErr() { errBytes.toString().trim() }

    static final String RECIPE = '''params {
    port 8080
    ratio 0.5
    debug false
    name 'web'
    tags(['a'])
}
assert port instanceof Integer
exit port == 8080 ? 0 : port % 256
'''

    def "defaults apply when no -p is given"() {
        expect:
        cli(RECIPE, ['FILE']) == 0
        err == ''
        !Files.exists(root)
    }

    def "a -p value replaces the default, coerced to the default's type"() {
        expect:
        cli(RECIPE, ['-p', 'port=9001', 'FILE']) == 9001 % 256
        cli(RECIPE.replace("exit port", "assert debug == true && ratio == 0.25 && name == 'db' && tags == ['x', 'y']\nexit port"),
                ['FILE', '-p', 'debug=yes', '--param', 'ratio=0.25', '-pname=db', '--param=tags=x,y', '-p', 'port=8080']) == 0
        err == ''
    }

    def "params returns the values, and each is a variable of the recipe"() {
        expect:
        cli('''p = params { a 1; b 'x' }
assert p == [a: 1, b: 'x']
assert a == 1 && b == 'x'
''', []  + ['FILE']) == 0
        err == ''
    }

    def "a parameter declared with a type must be given"() {
        expect:
        cli('params {\n  port 1\n  tag String\n}\nprintln tag\nexit tag.size()', ['FILE']) == 1
        err == "${dir.resolve('env.cgroovy')}:3: parameter 'tag' must be given: -p tag=VALUE"

        when:
        errBytes.reset()

        then:
        cli('params {\n  port 1\n  tag String\n}\nexit tag.size()', ['-p', 'tag=abc', 'FILE']) == 3
        err == ''
    }

    @Unroll
    def "-p #pair: #message"() {
        expect:
        cli('\nparams { port 8080; debug false; ratio 0.5 }\nexit 0', ['-p', pair, 'FILE']) == 1
        err == "${dir.resolve('env.cgroovy')}:2: ${message}"

        where:
        pair          || message
        'prot=1'      || "unknown parameter 'prot' — did you mean 'port'?"
        'zzz=1'       || "unknown parameter 'zzz' (the recipe's are: port, debug, ratio)"
        'port=80a'    || "parameter 'port': '80a' is not a whole number"
        'debug=maybe' || "parameter 'debug': 'maybe' is not true or false"
        'ratio=half'  || "parameter 'ratio': 'half' is not a number"
    }

    def "-p for a recipe without params is refused before it runs"() {
        expect:
        cli('println "ran"', ['-p', 'port=1', 'FILE']) == 2
        err == "cgroovy: ${dir.resolve('env.cgroovy')}: -p port=...: the recipe declares no params { }"
    }

    @Unroll
    def "command line #words: #message"() {
        expect:
        cli('exit 0', words) == 2
        err.readLines()[0] == message

        where:
        words                  || message
        []                     || 'cgroovy run: no recipe FILE given'
        ['-p']                 || 'cgroovy run: -p needs NAME=VALUE'
        ['-p', 'port', 'FILE'] || "cgroovy run: -p 'port': use NAME=VALUE"
        ['--frobnicate', 'FILE']|| "cgroovy run: unknown option '--frobnicate'"
    }

    def "words after FILE that are not options are the recipe's args, and everything after --"() {
        expect:
        cli('assert args == ["a", "-p", "x=1", "--update-lock"]; exit args.length', ['FILE', 'a', '-p', 'x=1', '--update-lock']) == 4
        cli('assert args == ["-p", "x=1"]; exit args.length', ['--', 'FILE', '-p', 'x=1']) == 2
        err == ''
    }

    def "a bare FILE is a recipe (what #!/usr/bin/env cgroovy makes of ./env.cgroovy)"() {
        given:
        Path f = write('#!/usr/bin/env cgroovy\nexit args.length + 40')

        expect:
        RecipeCommand.isRecipeFile(f.toString())
        RecipeCommand.isRecipeFile('env.cgroovy')
        !RecipeCommand.isRecipeFile('run')
        !RecipeCommand.isRecipeFile('--help')
        RecipeCommand.runFile([f.toString(), 'a', '-p', 'x'], session, new PrintStream(outBytes), new PrintStream(errBytes)) == 43
    }

    @Unroll
    def "a recipe writable by #who is refused: it would run with the engine's rights"() {
        given:
        Path f = write('exit 0')
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode))

        expect:
        Recipe.run(f, [], session, new PrintStream(errBytes, true)) == 2
        err == "cgroovy: ${f}: writable by other users; a recipe runs with the engine's rights (chmod go-w ${f})"

        where:
        who       | mode
        'group'   | 'rw-rw-r--'
        'others'  | 'rw-r--rw-'
    }
}

package io.cgroovy.shell

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * scripts/cgroovy as a user runs it: a real process, with this build's classpath
 * (CGROOVY_CLASSPATH skips the launcher's build step), its own state root and cgroup parent.
 */
@Timeout(300)
class LauncherSpec extends Specification {
    static final Path TOP = Path.of(System.getProperty('basedir', '.')).toAbsolutePath().resolve('..').normalize()
    static final Path LAUNCHER = TOP.resolve('scripts/cgroovy')

    @TempDir Path dir
    String cgroupParent = 'cgroovy-shell-test-' + UUID.randomUUID().toString().substring(0, 8)

    static boolean isRoot() { ['id', '-u'].execute().text.trim() == '0' }

    def cleanup() {
        // the engine removes each container's cgroup; the parent it made for this spec goes here
        List<String> left = TestCgroups.remove(cgroupParent)
        assert left.isEmpty(): "cgroups left behind: ${left}"
    }

    /** Runs the launcher with {@code args}, {@code input} on stdin; [status, stdout, stderr]. */
    private Map launch(String input, String... args) {
        ProcessBuilder pb = new ProcessBuilder([LAUNCHER.toString()] + (args as List))
        Map<String, String> env = pb.environment()
        env.put('CGROOVY_CLASSPATH', System.getProperty('java.class.path'))
        env.put('CGROOVY_ROOT', dir.resolve('root').toString())
        env.put('CGROOVY_CGROUP_PARENT', cgroupParent)
        env.put('CGROOVY_HISTORY', dir.resolve('history').toString())
        Path outFile = dir.resolve('out.txt'), errFile = dir.resolve('err.txt')
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
        Process p = pb.start()
        p.outputStream.withCloseable { it.write(input.getBytes('UTF-8')) }
        assert p.waitFor(240, TimeUnit.SECONDS)
        [status: p.exitValue(), out: Files.readString(outFile), err: Files.readString(errFile)]
    }

    def "run FILE exits with the recipe's status and passes its args"() {
        given:
        Path recipe = dir.resolve('r.cgroovy')
        Files.writeString(recipe, '#!/usr/bin/env -S cgroovy run\nprintln "args: $args"\nexit 3\n')

        when:
        Map r = launch('', 'run', recipe.toString(), 'a', 'b c')

        then:
        r.status == 3
        r.out == 'args: [a, b c]\n'
        r.err == ''
    }

    def "a recipe that fails validation says file:line on stderr and exits 1"() {
        given:
        Path recipe = dir.resolve('bad.cgroovy')
        Files.writeString(recipe, "container('busybox') {\n    cpus -1\n}\n")

        when:
        Map r = launch('', 'run', recipe.toString())

        then:
        r.status == 1
        r.out == ''
        r.err == "${recipe}:2: cpus -1: must be greater than 0\n"
        !Files.exists(dir.resolve('root'))
    }

    def "usage errors exit 2, --help exits 0"() {
        expect:
        launch('', 'run').status == 2
        launch('', 'bogus').status == 2
        launch('', '--help').with { it.status == 0 && it.out.contains('cgroovy run FILE') }
    }

    def "piped input: lines evaluate in order, errors are one line, EOF exits 0"() {
        when:
        Map r = launch('x = 1 + 1\nx\nsq = { n ->\n  n * n\n}\nsq(x)\nnope()\nprintln "still here"\n')

        then:
        r.status == 0
        r.out == '==> 2\n==> 2\n==> closure\n==> 4\nstill here\n'
        r.err == "error: unknown word 'nope'\n"
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "a recipe with containers exits with the last container's status"() {
        given:
        Path recipe = dir.resolve('c.cgroovy')
        Files.writeString(recipe, "container('busybox') { hostname 'box'; run 'echo hi from \$(hostname)' }\n" +
                "container('busybox') { run 'exit 3' }\n")

        when:
        Map r = launch('', 'run', recipe.toString())

        then:
        r.err == ''
        r.out == 'hi from box\n'
        r.status == 3
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "the example recipe greets"() {
        when:
        Map r = launch('', 'run', TOP.resolve('scripts/examples/hello.cgroovy').toString(), 'tester')

        then:
        r.err == ''
        r.out.readLines()[0] == 'hello, tester, from hello'
        r.out.readLines()[1] ==~ /[0-9a-f]{12}: exit 0/
        r.status == 0
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "piped shell: a container's output and handle, then the status of the last container"() {
        when:
        Map r = launch('''c = container('busybox') {
    env FOO: 'bar'
    run 'echo $FOO'
}
c.exitCode
container('nosuch')
images()
container('busybox') { run 'exit 5' }.exitCode
''')

        then:
        r.out.readLines()[0] == 'bar'
        r.out.readLines()[1].startsWith('==> container ')
        r.out.readLines()[2] == '==> 0'
        r.out.readLines()[3] ==~ /REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/   // a table, not '==> [...]'
        r.out.readLines()[4] ==~ /busybox\s+latest\s+[0-9a-f]{12}\s+.+\s+[0-9.]+[kMG]?B/
        r.out.readLines()[5] == '==> 5'
        r.err.readLines().last() ==~ /error: container\('nosuch'\): no such image: nosuch \(not in the store, and pulling it failed: docker\.io: [^\n]+\)/
        r.status == 5
    }

    @IgnoreIf({ !LauncherSpec.isRoot() })
    def "SIGINT during a recipe stops its container, starts no other, exits 130; SIGTERM leaves nothing running"() {
        given:
        int marker = 3000 + new Random().nextInt(5000)     // "sleep <marker>" finds the container's process
        Path recipe = dir.resolve('long.cgroovy')
        Files.writeString(recipe, """c = container('busybox') { run 'echo started; sleep ${marker}; echo never' }
println "stopped: \${c.exitCode}"
container('busybox') { run 'echo second' }
""")
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), 'run', recipe.toString())
        Map<String, String> env = pb.environment()
        env.put('CGROOVY_CLASSPATH', System.getProperty('java.class.path'))
        env.put('CGROOVY_ROOT', dir.resolve('root').toString())
        env.put('CGROOVY_CGROUP_PARENT', cgroupParent)
        Path outFile = dir.resolve('out.txt'), errFile = dir.resolve('err.txt')
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
        Process p = pb.start()

        when:
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
        while (p.alive && !Files.readString(outFile).contains('started') && System.nanoTime() < end) sleep 50
        ['kill', "-${signal}", String.valueOf(p.pid())].execute().waitFor()

        then:
        p.waitFor(60, TimeUnit.SECONDS)
        p.exitValue() == status
        Files.readString(outFile) ==~ output
        Files.readString(errFile) ==~ error.replace('RECIPE', java.util.regex.Pattern.quote(recipe.toString()))
        !running("sleep ${marker}")
        Files.list(dir.resolve('root/containers')).withCloseable { it.count() } == 0

        where:
        // on TERM the JVM halts once the container is cleaned up; the recipe may get one line further meanwhile
        signal | status | output                                     | error
        'INT'  | 130    | /started\nstopped: (130|137|143)\n/        | /RECIPE:3: interrupted\n/
        'TERM' | 143    | /started\n(stopped: (137|143)\n)?/       | /(RECIPE:3: interrupted\n)?/
    }

    /** Some process on this host has {@code text} in its command line. */
    private static boolean running(String text) {
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.any { File d ->
            try {
                new String(Files.readAllBytes(d.toPath().resolve('cmdline'))).replace('\u0000' as char, ' ' as char).contains(text)
            } catch (IOException ignored) {
                false
            }
        }
    }
}

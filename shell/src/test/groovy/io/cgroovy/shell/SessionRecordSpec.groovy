package io.cgroovy.shell

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Which snippets a saved session keeps, and the :help text (both read the DSL's word docs). */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class SessionRecordSpec extends Specification {
    @TempDir Path dir

    def "kept: #snippet"() {
        given:
        SessionRecord r = new SessionRecord()
        Map<String, Object> before = [x: 1, out: 'w']

        when:
        r.succeeded(snippet, SessionRecord.snapshot(before), after)

        then:
        r.snippets() == (kept ? [snippet] : [])

        where:
        snippet                                          | after                   || kept
        'y = 2'                                          | [x: 1, out: 'w', y: 2]  || true
        'x = 2'                                          | [x: 2, out: 'w']        || true
        'x = 1'                                          | [x: 1, out: 'w']        || false   // the same value again
        "container('busybox') { run 'true' }"            | [x: 1, out: 'w']        || true
        "tag 'busybox', 'b:1'"                           | [x: 1, out: 'w']        || true
        'images()'                                       | [x: 1, out: 'w']        || false
        'println x'                                      | [x: 1, out: 'w']        || false
        "println 'container(x)'"                         | [x: 1, out: 'w']        || false   // a word inside a string
        'x.container'                                    | [x: 1, out: 'w']        || false   // a member, not the word
    }

    def ":save writes the kept snippets in order, under a comment; a directory that is not there is an error"() {
        given:
        SessionRecord r = new SessionRecord()
        r.add("a = 1\n")
        r.add("container('busybox') {\n    run 'true'\n}")
        Path file = dir.resolve('env.cgroovy')

        when:
        int n = r.save(file)

        then:
        n == 2
        Files.readAllLines(file).drop(1) == ['a = 1', "container('busybox') {", "    run 'true'", '}']
        Files.readAllLines(file)[0].startsWith('//')
        Files.list(dir).count() == 1                 // no temporary file left

        when:
        r.save(dir.resolve('missing/env.cgroovy'))

        then:
        thrown(IOException)
    }

    def ":help lists every word with its usage (the DSL's catalogue); :help WORD explains one; a typo gets a suggestion"() {
        expect:
        Commands.help().contains('  memory SIZE')
        Commands.help().contains('  images()')
        Commands.help().contains(':save')
        Commands.helpFor('memory').contains("e.g. memory '512m'")
        Commands.helpFor('memroy') == "no word 'memroy' — did you mean 'memory'?"
    }

    def "unknown :commands are one line with a suggestion, and the shell goes on"() {
        given:
        StringWriter out = new StringWriter()
        StringWriter err = new StringWriter()

        when:
        Commands.Result r = Commands.run(':sav', new PrintWriter(out), new PrintWriter(err), new SessionRecord(), [:], { true })

        then:
        r == Commands.Result.CONTINUE
        err.toString().trim() == "error: unknown command ':sav' — did you mean ':save'? (:help lists them)"
    }
}

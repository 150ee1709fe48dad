package io.cgroovy.shell

import io.cgroovy.shell.CompletionContext.Kind
import org.jline.reader.Candidate
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** What Tab completes where (text analysis and file paths; no engine). */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class CompletionSpec extends Specification {
    @TempDir Path dir

    def "the context at the cursor: #line"() {
        when:
        CompletionContext at = CompletionContext.at(line, line.length())

        then:
        at.kind() == kind
        at.prefix() == prefix
        line.substring(at.start()) == prefix

        where:
        line                                             || kind              | prefix
        'conta'                                          || Kind.WORD         | 'conta'
        "c = container('bu"                              || Kind.IMAGE        | 'bu'
        "container(name: 'web', 'bus"                    || Kind.IMAGE        | 'bus'
        "container 'bu"                                  || Kind.IMAGE        | 'bu'
        "rmi 'my"                                        || Kind.IMAGE        | 'my'
        "tag 'busybox', 'x"                              || Kind.IMAGE        | 'x'
        "x = 1; stop('we"                                || Kind.CONTAINER    | 'we'
        "container('busybox') { network: 'ne"            || Kind.NETWORK      | 'ne'
        "volume 'da"                                     || Kind.VOLUME       | 'da'
        "load '/tm"                                      || Kind.PATH         | '/tm'
        "container('busybox') { bind 'sr"                || Kind.PATH         | 'sr'
        "container('busybox') { run 'ls /et"             || Kind.PATH         | '/et'
        "container('busybox') { run 'ec"                 || Kind.NONE         | 'ec'
        "println 'it''s"                                 || Kind.NONE         | 's'
        'c.exi'                                          || Kind.MEMBER       | 'exi'
        "'done'.toUpp"                                   || Kind.WORD         | 'toUpp'
        ':he'                                            || Kind.COMMAND      | ':he'
        ':help mem'                                      || Kind.WORD         | 'mem'
        ':save en'                                       || Kind.PATH         | 'en'
    }

    def "a closed string is not completed as one; an open one after a closed one is"() {
        expect:
        CompletionContext.openString("a = 'x'") == -1
        CompletionContext.openString("a = 'x', 'y") == 9
        CompletionContext.openString('a = """x') == 4
        CompletionContext.openString("// it's a comment") == -1
    }

    def "file paths: directories stay open with '/', files get the closing quote"() {
        given:
        Files.createDirectories(dir.resolve('images'))
        Files.writeString(dir.resolve('image.tar'), 'x')
        List<Candidate> out = []

        when:
        Completion.paths(dir.toString() + '/ima', (char) "'", out)

        then:
        out*.value().sort() == [dir.toString() + '/image.tar\'', dir.toString() + '/images/']
        !out.find { it.value().endsWith('/') }.complete()
    }

    def "names from a source come with the closing quote; a failing source offers nothing"() {
        given:
        Completion c = new Completion({ [] }, { null })
                .source(Kind.CONTAINER, { [new NameSource.Name('web', 'abc123')] })
                .source(Kind.IMAGE, { throw new IOException('store is gone') })

        expect:
        c.candidates(CompletionContext.at("stop('w", 7))*.value() == ["web'"]
        c.candidates(CompletionContext.at("rmi 'b", 6)).isEmpty()
    }

    def "members of a value: properties and methods"() {
        expect:
        Completion.members('text').containsAll(['empty', 'bytes', 'toUpperCase('])
        Completion.members(null) == []
    }
}

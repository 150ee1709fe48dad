package io.cgroovy.dsl

import spock.lang.Specification

import java.time.Instant

@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class SuggestAndSizesSpec extends Specification {
    def "edit distance counts a swap of neighbours as one"() {
        expect:
        Suggest.distance('memroy', 'memory') == 1
        Suggest.distance('kitten', 'sitting') == 3
        Suggest.distance('', 'abc') == 3
    }

    def "only close words are suggested"() {
        expect:
        Suggest.closest('contaner', CgroovyScript.WORDS) == 'container'
        Suggest.closest('imgaes', CgroovyScript.WORDS) == 'images'
        Suggest.closest('xyzzy', CgroovyScript.WORDS) == null
    }

    def "a misspelt method or property of a handle: #code gives '#message'"() {
        given:
        Container c = Container.planned(new ContainerSpec().settings('busybox'), 'busybox', null)
        Image img = Image.planned('web:1')

        when:
        Eval.xy(c, img, code)

        then:
        Throwable t = thrown()
        Errors.message(t) == message

        where:
        code               | message
        'x.stpo()'         | "unknown method 'stpo' of a Container — did you mean 'stop'?"
        'x.exitCdoe'       | "unknown property 'exitCdoe' of a Container — did you mean 'exitCode'?"
        "x.stop('soon')"   | "stop of a Container does not take (String); usage: c.stop([SECONDS])"
        'y.lyaers'         | "unknown property 'lyaers' of an Image — did you mean 'layers'?"
        'y.frobnicate()'   | "unknown method 'frobnicate' of an Image"
    }

    def "sizes parse Docker's way and print Docker's way"() {
        expect:
        Sizes.parse('512m') == 536870912L
        Sizes.parse('lots') == null
        Sizes.parse('1x') == null
        Sizes.human(1982256) == '1.98MB'
        Sizes.human(999) == '999B'
        Sizes.human(4410) == '4.41kB'
        Sizes.human(2_000_000_000) == '2GB'
        Sizes.compact(67108864) == '64m'
    }

    def "ages read like Docker's CREATED column"() {
        given:
        Instant now = Instant.parse('2026-01-10T12:00:00Z')

        expect:
        Image.ago(null, now) == 'N/A'
        Image.ago(now, now) == 'Less than a second ago'
        Image.ago(now.minusSeconds(30), now) == '30 seconds ago'
        Image.ago(now.minusSeconds(3600), now) == 'About an hour ago'
        Image.ago(now.minusSeconds(3 * 3600), now) == '3 hours ago'
        Image.ago(now.minusSeconds(3 * 86400), now) == '3 days ago'
    }

    def "an image list prints one row per tag, newest first"() {
        given:
        Instant now = Instant.now()
        def list = new ImageList([
                new Image('sha256:' + 'a' * 64, ['busybox:latest', 'busybox:mine'], 1982256, now.minusSeconds(7200), 'sha256:' + 'c' * 64),
                new Image('sha256:' + 'b' * 64, [], 4410, null, 'sha256:' + 'd' * 64),
                // 30 minutes, not "now": the table reads the clock itself, maybe seconds later on a loaded machine
                new Image('sha256:' + 'e' * 64, ['localhost:5000/x/y:1.0'], 100, now.minusSeconds(1800), 'sha256:' + 'f' * 64)])

        when:
        List<String> lines = list.toString().readLines()

        then:
        lines[0].split(/\s{2,}/) as List == ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']
        lines[1].split(/\s{2,}/) as List == ['localhost:5000/x/y', '1.0', 'eeeeeeeeeeee', '30 minutes ago', '100B']
        lines[2].split(/\s{2,}/) as List == ['busybox', 'latest', 'aaaaaaaaaaaa', '2 hours ago', '1.98MB']
        lines[3].split(/\s{2,}/) as List == ['busybox', 'mine', 'aaaaaaaaaaaa', '2 hours ago', '1.98MB']
        lines[4].split(/\s{2,}/) as List == ['<none>', '<none>', 'bbbbbbbbbbbb', 'N/A', '4.41kB']
        lines.size() == 5
        list.size() == 3
    }
}

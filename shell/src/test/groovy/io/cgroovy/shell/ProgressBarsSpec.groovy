package io.cgroovy.shell

import spock.lang.Specification

/** Progress bars drawn from pull events (the renderer alone; the pull on a terminal is TerminalScreenSpec's). */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class ProgressBarsSpec extends Specification {
    StringWriter text = new StringWriter()
    long now = 0

    private ProgressBars bars(boolean terminal) { new ProgressBars(new PrintWriter(text), terminal, { now }, 100) }

    /** The last frame as a terminal shows it: what follows the last cursor-up, escape codes removed. */
    private List<String> getLastFrame() {
        String s = text.toString()
        String last = s.contains('F\u001B[2K') ? s.substring(s.lastIndexOf('F\u001B[2K') + 1) : s
        last.replaceAll(/\u001B\[[0-9;]*[A-Za-z]/, '').readLines()
    }

    def "one bar per layer with bytes, then 'Pull complete', the total and the speed; redrawn in place"() {
        given:
        ProgressBars b = bars(true)
        String a = 'sha256:' + 'a' * 64, c = 'sha256:' + 'c' * 64

        when:
        b.event(null, 'RESOLVING', 0, 0, 0, 3_000_000)
        b.event(a, 'EXISTS', 1_000_000, 1_000_000, 1_000_000, 3_000_000)
        now = 1_000_000_000
        b.event(c, 'DOWNLOADING', 500_000, 2_000_000, 1_500_000, 3_000_000)

        then:
        lastFrame == ['aaaaaaaaaaaa  Already exists                         1MB',
                      'cccccccccccc  Downloading    [====>               ]  500kB / 2MB',
                      'total 1.5MB / 3MB  1.5MB/s']

        when:
        now = 2_000_000_000
        b.event(c, 'DONE', 2_000_000, 2_000_000, 3_000_000, 3_000_000)
        b.event(null, 'COMPLETE', 3_000_000, 3_000_000, 3_000_000, 3_000_000)

        then:
        lastFrame == ['aaaaaaaaaaaa  Already exists                         1MB',
                      'cccccccccccc  Pull complete                          2MB',
                      'total 3MB / 3MB  1.5MB/s']
        text.toString().contains('\u001B[3F')       // each new frame overwrites the last
    }

    def "byte updates closer together than the interval are not drawn; state changes always are"() {
        given:
        ProgressBars b = bars(true)
        String c = 'sha256:' + 'c' * 64

        when:
        b.event(c, 'DOWNLOADING', 1, 100, 1, 100)
        int frames1 = text.toString().count('total ')
        b.event(c, 'DOWNLOADING', 2, 100, 2, 100)
        int frames2 = text.toString().count('total ')
        b.event(c, 'DONE', 100, 100, 100, 100)

        then:
        frames1 == 1
        frames2 == 1
        text.toString().count('total ') == 2
    }

    def "not a terminal: no escape codes, only the total at the end"() {
        given:
        ProgressBars b = bars(false)

        when:
        b.event('sha256:' + 'c' * 64, 'DOWNLOADING', 5, 10, 5, 10)
        now = 1_000_000_000
        b.event(null, 'COMPLETE', 10, 10, 10, 10)

        then:
        text.toString() == 'total 10B / 10B  10B/s\n'
    }

    def "sizes the way Docker prints them; bars from empty to full"() {
        expect:
        ProgressBars.human(999) == '999B'
        ProgressBars.human(1_040_000) == '1.04MB'
        ProgressBars.human(12_345_678) == '12.3MB'
        ProgressBars.human(100_000) == '100kB'
        ProgressBars.bar(0, 10) == '[' + ' ' * 20 + ']'
        ProgressBars.bar(10, 10) == '[' + '=' * 20 + ']'
        ProgressBars.bar(5, 10) == '[' + '=' * 9 + '>' + ' ' * 10 + ']'
        ProgressBars.bar(5, -1) == '[' + ' ' * 20 + ']'
    }
}

package io.cgroovy.shell

import io.cgroovy.dsl.Image
import io.cgroovy.dsl.ImageList
import spock.lang.Specification

import java.time.Instant

/** Tables as Docker prints them, fitted to the terminal's width. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class TableSpec extends Specification {
    static final List<String> HEADERS = ['NAME', 'IMAGE', 'COMMAND', 'STATUS']
    static final List<List<String>> ROWS = [['web', 'busybox:latest', 'sh -c "while true; do echo hi; sleep 1; done"', 'Up 2 minutes'],
                                            ['db', 'postgres:16', 'docker-entrypoint.sh postgres', 'Exited (0) 3 hours ago']]

    def "columns three spaces apart, padded to the widest cell, nothing cut when it fits"() {
        when:
        List<String> lines = Table.render(HEADERS, ROWS, 0, false).readLines()

        then:
        lines[0] == 'NAME   IMAGE            COMMAND                                         STATUS'
        lines[1] == 'web    busybox:latest   sh -c "while true; do echo hi; sleep 1; done"   Up 2 minutes'
        lines[2].startsWith('db     postgres:16      docker-entrypoint.sh postgres')
    }

    def "a narrow terminal cuts the widest column first, marking the cut with '…'"() {
        when:
        List<String> lines = Table.render(HEADERS, ROWS, width, false).readLines()

        then:
        lines.every { it.length() <= width }
        lines[1].contains('…')
        lines[1].startsWith('web    busybox:latest   sh -c')   // the narrow columns stay whole
        lines[1].endsWith('Up 2 minutes')

        where:
        width << [70, 60]
    }

    def "never below the headers: a terminal too narrow for them wraps instead"() {
        expect:
        Table.render(HEADERS, ROWS, 10, false).readLines()[0] == 'NAME   IMAGE   COMMAND   STATUS'
    }

    def "bold headers only with colours"() {
        expect:
        Table.render(HEADERS, ROWS, 0, true).readLines()[0].contains('\u001B[1m')
        !Table.render(HEADERS, ROWS, 0, false).contains('\u001B')
    }

    def "a DSL list with HEADERS and rows() prints as a table; other values do not"() {
        given:
        ImageList images = new ImageList([new Image('sha256:' + 'ab' * 32, ['busybox:latest'], 1_040_000, Instant.now().minusSeconds(7200), null)])

        expect:
        Tables.render(images, 0, false).readLines() == ['REPOSITORY   TAG      IMAGE ID       CREATED       SIZE',
                                                        'busybox      latest   abababababab   2 hours ago   1.04MB']
        Tables.render([1, 2], 80, false) == null
        Tables.render('text', 80, false) == null
    }
}

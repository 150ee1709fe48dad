package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.time.Instant

/** docker events against `cgroovy serve`: container and image events, replayed with --since/--until and streamed live. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(180)
class EventsCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine

    static String unix(Instant t) { String.format('%d.%09d', t.epochSecond, t.nano) }

    def "a docker run --rm, a tag and an untag show as Docker's events, in order"() {
        given:
        def t0 = Instant.now()
        assert served.docker('run', '--rm', '--name', 'evrun', 'busybox', 'sh', '-c', 'exit 3')[0] == 3
        for (int i = 0; i < 100 && engine.ps(true).any { it.name() == 'evrun' }; i++) sleep 100
        assert served.docker('tag', 'busybox', 'evtest:1')[0] == 0
        assert served.docker('rmi', 'evtest:1')[0] == 0
        def t1 = Instant.now()

        when:
        def (rc, out, err) = served.docker('events', '--since', unix(t0), '--until', unix(t1),
                '--format', '{{.Type}} {{.Action}} {{index .Actor.Attributes "name"}} {{index .Actor.Attributes "exitCode"}}')

        then:
        rc == 0
        out.readLines()*.trim() == ['container create evrun', 'container start evrun', 'container die evrun 3',
                                    'container destroy evrun', 'image tag evtest:1', 'image untag evtest:1']

        when: 'filtered by type and event'
        def (rc2, out2, err2) = served.docker('events', '--since', unix(t0), '--until', unix(t1),
                '--filter', 'type=container', '--filter', 'event=die', '--format', '{{.Action}} {{.Actor.ID}}')

        then:
        rc2 == 0
        out2.readLines().size() == 1
        out2.startsWith('die ')
    }

    def "docker events follows live until the client goes"() {
        given:
        // --since replays what happened before the CLI connected, so its start needs no waiting for
        def p = ['docker', 'events', '--since', unix(Instant.now()), '--filter', 'type=container', '--format', '{{.Action}} {{index .Actor.Attributes "name"}}']
                .execute(served.env(), served.tmp.toFile())
        p.outputStream.close()
        def lines = Collections.synchronizedList([])
        def reader = Thread.start { p.inputStream.eachLine { lines << it } }

        when:
        assert served.docker('run', '-d', '--name', 'evlive', 'busybox', 'sleep', '600')[0] == 0
        assert served.docker('rm', '-f', 'evlive')[0] == 0
        for (int i = 0; i < 200 && !lines.contains('destroy evlive'); i++) sleep 100

        then:
        lines == ['create evlive', 'start evlive', 'die evlive', 'destroy evlive']

        cleanup:
        p?.destroy()
        p?.waitFor()
        reader?.join(10000)
    }
}

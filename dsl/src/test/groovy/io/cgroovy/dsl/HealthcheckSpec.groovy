package io.cgroovy.dsl

import io.cgroovy.runtime.Health
import spock.lang.IgnoreIf
import spock.lang.Timeout

/**
 * healthcheck: Docker's HEALTHCHECK on detached containers, run by each container's monitor (the
 * JVM only reads health.json: nothing here calls into the check). Real busybox containers, network
 * none (the checks use the container's own loopback), so it runs on cgroup v1 and v2 alike.
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class HealthcheckSpec extends TestEngineSpecification {
    String engineName() { 'health' }

    /** Polls the container's health status until it is {@code want} (the machine may be slow: generous). */
    private static String await(Container c, String want, long millis = 120_000) {
        long end = System.currentTimeMillis() + millis
        while (c.healthStatus != want && System.currentTimeMillis() < end) Thread.sleep(100)
        c.healthStatus
    }

    private static final String HTTPD = "run 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 127.0.0.1:80 -h /www'"

    def "a passing check: starting, then healthy in ps() and inspect; the check ran inside the container"() {
        when:
        Container c = eval("""
            container('busybox') {
                detach(); name 'web'
                healthcheck 'wget -q -O - http://127.0.0.1/ && hostname', interval: '500ms', timeout: '20s', retries: 2
                hostname 'checked'
                ${HTTPD}
            }""")

        then:
        c.healthStatus in ['starting', 'healthy']

        when:
        String status = await(c, 'healthy')
        Health h = c.health

        then:
        status == 'healthy'
        h.status() == 'healthy'
        h.failingStreak() == 0
        h.log().last().exitCode() == 0
        h.log().last().output() == 'ok\nchecked\n'       // the page from the container's lo, its hostname
        eval("ps()").toString().contains('(healthy)')
        eval("inspect('web')").health.status() == 'healthy'
    }

    def "failing checks count up to retries: unhealthy; a check that outlasts its timeout fails with exit -1"() {
        when:
        Container failing = eval("""
            container('busybox') { detach(); name 'bad'; healthcheck 'echo broken; exit 3', interval: '300ms', retries: 2; run 'sleep 600' }""")
        Container slow = eval("""
            container('busybox') { detach(); name 'slow'; healthcheck 'sleep 60', interval: '300ms', timeout: '500ms', retries: 1; run 'sleep 600' }""")

        then:
        await(failing, 'unhealthy') == 'unhealthy'
        failing.health.failingStreak() >= 2
        failing.health.log().last().exitCode() == 3
        failing.health.log().last().output() == 'broken\n'
        await(slow, 'unhealthy') == 'unhealthy'
        slow.health.log().last().exitCode() == -1
        slow.health.log().last().output().contains('exceeded timeout')
        eval("ps()").toString().contains('(unhealthy)')
        failing.status == 'running'                      // unhealthy is reported, not acted on (as Docker)
    }

    def "a paused container's checks pause: no check runs and the status stays until unpause, then they go on"() {
        when:
        Container c = eval("""
            container('busybox') { detach(); name 'frozen'; healthcheck 'true', interval: '300ms', timeout: '2s', retries: 1; run 'sleep 600' }""")

        then:
        await(c, 'healthy') == 'healthy'

        when: 'paused for several intervals and a whole timeout'
        c.pause()
        Thread.sleep(3000)
        Health paused = c.health

        then: 'no check ran meanwhile (a frozen check would have timed out and made it unhealthy)'
        c.status == 'paused'
        paused.status() == 'healthy'
        paused.failingStreak() == 0
        paused.log().every { it.exitCode() == 0 }        // no check timed out against the frozen container

        when: 'after unpause the checks go on'
        String lastPaused = c.health.log().last().start()
        c.unpause()
        long end = System.currentTimeMillis() + 60_000
        while (c.health.log().last().start() == lastPaused && System.currentTimeMillis() < end) Thread.sleep(100)

        then:
        c.health.log().last().start() != lastPaused
        c.health.log().last().exitCode() == 0
        c.healthStatus == 'healthy'
    }

    def "a long interval stays starting (docker ps: health: starting); a failure within startPeriod does not count"() {
        when:
        Container idle = eval("""container('busybox') { detach(); name 'idle'; healthcheck 'true', interval: '1h'; run 'sleep 600' }""")
        Container warming = eval("""
            container('busybox') { detach(); name 'warm'; healthcheck 'exit 1', interval: '300ms', retries: 1, startPeriod: '1h'; run 'sleep 600' }""")
        long end = System.currentTimeMillis() + 120_000
        while ((warming.health?.log()?.size() ?: 0) < 3 && System.currentTimeMillis() < end) Thread.sleep(100)

        then:
        idle.healthStatus == 'starting'
        eval("ps()").toString().contains('(health: starting)')
        warming.health.log().size() >= 3
        warming.healthStatus == 'starting'
        warming.health.failingStreak() == 0
    }

    def "after a restart the checks go on against the new process (the monitor re-points them)"() {
        given:
        Container c = eval("""
            container('busybox') { detach(); name 'again'; healthcheck 'test -e /proc/1/cmdline && wget -q -O /dev/null http://127.0.0.1/', interval: '300ms'; ${HTTPD} }""")
        assert await(c, 'healthy') == 'healthy'
        long firstPid = c.pid

        when:
        c.restart(2)
        java.time.Instant restarted = c.info().startedAt()
        long end = System.currentTimeMillis() + 120_000
        // a passing result of a check that began after the restart
        while (!c.health.log().any { it.exitCode() == 0 && java.time.Instant.parse(it.start()) > restarted } && System.currentTimeMillis() < end) {
            Thread.sleep(100)
        }

        then:
        c.pid != firstPid
        c.health.log().any { it.exitCode() == 0 && java.time.Instant.parse(it.start()) > restarted }
        c.healthStatus == 'healthy'
    }

    def "the image's HEALTHCHECK is honoured; healthcheck 'NONE' turns it off; options alone keep its command"() {
        given: 'an image whose config has Healthcheck (CMD-SHELL, 2 s interval in nanoseconds)'
        engine.images().importOciLayout(TestImages.layout(tmp.resolve('hc-img'), ['/marker': 'x'],
                [Healthcheck: [Test: ['CMD-SHELL', 'cat /marker'], Interval: 2_000_000_000L, Retries: 2]]), 'hc:1')

        when:
        Container fromImage = eval("container('hc:1') { detach(); name 'img'; run 'sleep 600' }")
        Container off = eval("container('hc:1') { detach(); name 'off'; healthcheck 'NONE'; run 'sleep 600' }")
        Container faster = eval("container('hc:1') { detach(); name 'fast'; healthcheck interval: '200ms'; run 'sleep 600' }")

        then:
        await(fromImage, 'healthy') == 'healthy'
        fromImage.health.log().last().output() == 'x'
        off.health == null
        off.healthStatus == ''
        await(faster, 'healthy') == 'healthy'
        faster.health.log().last().output() == 'x'
    }

    def "mistakes are one-line errors naming the word, and nothing is started"() {
        when:
        eval(code)

        then:
        DslException e = thrown()
        e.message.contains(message)
        engine.ps(true).isEmpty()

        where:
        code                                                                                   | message
        "container('busybox') { healthcheck 'true'; run 'true' }"                              | 'healthcheck: only a detached container is checked (add detach())'
        "container('busybox') { detach(); healthcheck 'true', interval: 'soon'; run 'sleep 1' }" | "healthcheck interval: 'soon' is not a duration"
        "container('busybox') { detach(); healthcheck 'true', retires: 3; run 'sleep 1' }"     | "unknown option 'retires' — did you mean 'retries'?"
        "container('busybox') { detach(); healthcheck 'true', retries: 0; run 'sleep 1' }"     | 'healthcheck retries: 0: must be at least 1'
        "container('busybox') { detach(); healthcheck ''; run 'sleep 1' }"                     | 'healthcheck: empty command'
        "container('busybox') { detach(); healthcheck interval: '1s'; run 'sleep 1' }"         | 'healthcheck: no command given, and the image has none'
    }
}

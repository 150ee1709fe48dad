package io.cgroovy.api

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

/** docker run --health-* and docker inspect's State.Health, with the real `docker` CLI against `cgroovy serve`. */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(240)
class HealthCliSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    @Shared Engine engine = served.engine

    // each feature removes its containers before the cgroup leak check that follows it
    def cleanup() { served.removeContainers() }

    List docker(String... args) { served.docker(args) }

    /** docker inspect's health status of {@code name}, polled until it is {@code want} (the machine may be slow). */
    private String awaitHealth(String name, String want) {
        String now = null
        long end = System.currentTimeMillis() + 120_000
        while (now != want && System.currentTimeMillis() < end) {
            def (rc, out) = docker('inspect', '--format', '{{.State.Health.Status}}', name)
            assert rc == 0
            now = out.trim()
            if (now != want) Thread.sleep(200)
        }
        now
    }

    def "--health-cmd: starting, then healthy in docker inspect and ps; a failing one turns unhealthy with its output"() {
        when:
        def (rc, out, err) = docker('run', '-d', '--name', 'ok', '--health-cmd', 'echo fine', '--health-interval', '1s', 'busybox', 'sleep', '300')
        def (rc2, out2, err2) = docker('run', '-d', '--name', 'bad', '--health-cmd', 'echo broken; exit 2', '--health-interval', '1s',
                '--health-retries', '2', 'busybox', 'sleep', '300')

        then:
        rc == 0 && rc2 == 0
        awaitHealth('ok', 'healthy') == 'healthy'
        awaitHealth('bad', 'unhealthy') == 'unhealthy'

        when:
        def (rc3, log) = docker('inspect', '--format', '{{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}', 'bad')
        def (rc4, ps) = docker('ps', '--format', '{{.Names}} {{.Status}}')

        then:
        rc3 == 0
        log.trim() ==~ /\d+ 2 broken/
        log.trim().split(' ')[0].toInteger() >= 2
        rc4 == 0
        ps.readLines().find { it.startsWith('ok ') }.endsWith('(healthy)')
        ps.readLines().find { it.startsWith('bad ') }.endsWith('(unhealthy)')
    }

    def "a container without a check has no State.Health"() {
        when:
        def (rc, out) = docker('run', '-d', '--name', 'plain', 'busybox', 'sleep', '300')
        def (rc2, health) = docker('inspect', '--format', '{{json .State.Health}}', 'plain')

        then:
        rc == 0 && rc2 == 0
        health.trim() == 'null'
    }
}

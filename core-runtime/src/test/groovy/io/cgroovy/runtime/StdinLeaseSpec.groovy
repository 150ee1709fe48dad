package io.cgroovy.runtime

import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Path
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * StdinLease in a child JVM whose stdin is a pipe from here: a read waiting in a lease returns end of
 * input when the lease ends, and what is written after goes to the next lease, not to the thread
 * that waited in the ended one (a plain read of System.in would have taken it); an interrupt ends a
 * waiting read.
 */
@spock.lang.Tag('kernel-agnostic') // a pipe and the JVM only
@Timeout(120)
class StdinLeaseSpec extends Specification {
    def "an ended lease gives end of input at once and takes nothing written after; the next lease gets it"() {
        given:
        Process p = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(),
                '-cp', System.getProperty('java.class.path'), StdinLeaseChild.name).redirectErrorStream(true).start()
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>()
        Thread.startDaemon { p.inputStream.newReader('UTF-8').eachLine { lines.put(it) } }
        OutputStream stdin = p.outputStream

        when: 'the first lease reads what is there'
        stdin.write('a'.bytes); stdin.flush()

        then:
        next(lines) == 'first a'

        and: 'a thread waits in it, the lease ends: the waiting read gets end of input'
        next(lines) == 'waiting'
        next(lines) == 'left -1'

        when: 'more is written after that'
        stdin.write('bc'.bytes); stdin.flush()

        then: 'the next lease gets all of it'
        next(lines) == 'second bc'

        and: 'an interrupt ends a read waiting in a lease'
        next(lines) == 'interrupted java.io.InterruptedIOException'
        p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0

        cleanup:
        p?.destroyForcibly()?.waitFor()
    }

    private static String next(LinkedBlockingQueue<String> lines) {
        String line = lines.poll(60, TimeUnit.SECONDS)
        assert line != null: 'the child said nothing for 60 s'
        line
    }
}

package io.cgroovy.runtime

import spock.lang.Specification
import spock.lang.Tag
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The executor and monitor run at once after their install, even while another thread of the JVM
 * forks processes all the time (as cgroovy serve does for concurrent requests): a fork that inherited
 * a write fd of the fresh binary would make its exec fail with ETXTBSY ("Text file busy").
 */
@Tag('kernel-agnostic') // files, fork and exec only
@Timeout(300)
class ExecutorBinarySpec extends Specification {
    @TempDir Path tmp

    def "installed into 150 fresh roots while another thread forks without pause: every one runs at once"() {
        given:
        AtomicBoolean stop = new AtomicBoolean()
        int forks = 0
        Thread forker = Thread.start {
            while (!stop.get()) {
                new ProcessBuilder('true').start().waitFor()
                forks++
            }
        }
        List<String> failures = []

        when:
        150.times { int i ->
            Path root = tmp.resolve("root-$i")
            [ExecutorBinary.install(root), ExecutorBinary.installMonitor(root)].each { Path bin ->
                try {
                    Process p = new ProcessBuilder(bin.toString()).redirectErrorStream(true).start()
                    p.inputStream.readAllBytes()
                    p.waitFor()
                } catch (IOException e) {
                    failures << "${bin.fileName}: ${e.message}".toString()
                }
            }
        }
        stop.set(true)
        forker.join()

        then: 'no exec failed (the binaries print their usage and exit: that they ran is what counts)'
        failures == []
        forks > 0

        and: 'each root holds just the two binaries, no temporary file'
        Files.list(tmp.resolve('root-7/bin')).withCloseable { it.map { it.fileName.toString() }.sorted().toList() }
                .collect { it.replaceFirst(/-[0-9a-f]{16}$/, '') } == ['cgroovy-executor', 'cgroovy-monitor']
    }
}

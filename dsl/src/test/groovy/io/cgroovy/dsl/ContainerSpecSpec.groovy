package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerSettings
import spock.lang.Specification
import spock.lang.Unroll

import static io.cgroovy.dsl.ContainerWords.error
import static io.cgroovy.dsl.ContainerWords.settings

/** The container closure's words and the one validation step, without an engine. */
@spock.lang.Tag('kernel-agnostic') // files and the JVM only: the cgroup v2 guest run leaves it out (README)
class ContainerSpecSpec extends Specification {

    def "every word lands in the settings"() {
        when:
        ContainerSettings s = settings {
            memory '64m'; memorySwap '128m'; cpus 0.5; cpuShares 512; pids 64
            env FOO: 'bar', N: 1; env 'BAZ', 'qux'
            hostname 'box'; workdir '/tmp'; user 'nobody'; name 'web'
            run 'echo hi'
        }

        then:
        s.image() == 'busybox'
        s.resources().memoryBytes() == 67108864L
        s.resources().memorySwapBytes() == 134217728L
        s.resources().cpus() == 0.5d
        s.resources().cpuShares() == 512L
        s.resources().pidsMax() == 64L
        s.env() == [FOO: 'bar', N: '1', BAZ: 'qux']
        s.hostname() == 'box'
        s.workdir() == '/tmp'
        s.user() == 'nobody'
        s.name() == 'web'
        s.command() == ['/bin/sh', '-c', 'echo hi']
    }

    def "cpuset, blkio weight and device throttles as Docker names them"() {
        when:
        ContainerSettings s = settings {
            cpuset '0-1'; cpusetMems 0; blkioWeight 300
            deviceReadBps '/dev/vda': '1m'; deviceWriteIops '/dev/vda': 100
        }

        then:
        s.resources().cpusetCpus() == '0-1'
        s.resources().cpusetMems() == '0'
        s.resources().blkioWeight() == 300
        s.resources().ioLimits()*.toString() == ['IoLimit[device=/dev/vda, kind=readBps, value=1048576]',
                                                 'IoLimit[device=/dev/vda, kind=writeIops, value=100]']
        settings { ioWeight 500 }.resources().blkioWeight() == 500
    }

    def "bad cpuset and io values are one-line errors naming the word"() {
        expect:
        error(body) == message

        where:
        body                                            || message
        ({ cpuset '0-' })                              || "cpuset '0-': not a list like '0-1' or '0,2'"
        ({ cpusetMems 'all' })                         || "cpusetMems 'all': not a list like '0-1' or '0,2'"
        ({ blkioWeight 5 })                            || 'blkioWeight 5: must be between 10 and 1000'
        ({ ioWeight 2000 })                            || 'ioWeight 2000: must be between 10 and 1000'
        ({ blkioWeight 100; ioWeight 100 })            || 'ioWeight 100: blkioWeight is already given (they are one setting)'
        ({ deviceReadBps 'vda': '1m' })                || "deviceReadBps 'vda': not a device path like /dev/vda"
        ({ deviceReadBps '/dev/vda': 'fast' })         || "deviceReadBps '/dev/vda': fast: not a rate (use e.g. 1m for 1 MiB/s)"
        ({ deviceWriteIops '/dev/vda': '1m' })         || "deviceWriteIops '/dev/vda': 1m: not a whole number of operations per second"
    }

    def "nothing written means nothing set: the image decides"() {
        when:
        ContainerSettings s = settings {}

        then:
        s.command() == []
        s.env() == [:]
        s.name() == null && s.hostname() == null && s.workdir() == null && s.user() == null
        s.resources().memoryBytes() == null && s.resources().cpus() == null && s.resources().pidsMax() == null
    }

    @Unroll
    def "size #text is #bytes bytes"() {
        expect:
        settings { memory text }.resources().memoryBytes() == bytes

        where:
        text       | bytes
        '64m'      | 64L * 1024 * 1024
        '64M'      | 64L * 1024 * 1024
        '1g'       | 1024L * 1024 * 1024
        '1.5G'     | 1536L * 1024 * 1024
        '8192k'    | 8L * 1024 * 1024
        '64MiB'    | 64L * 1024 * 1024
        '64mb'     | 64L * 1024 * 1024
        '10000000' | 10000000L
        '10000000b'| 10000000L
        67108864   | 67108864L
    }

    def "a single string is the shell form, several arguments or a list the exec form"() {
        expect:
        settings { run 'echo hi; exit 3' }.command() == ['/bin/sh', '-c', 'echo hi; exit 3']
        settings { run 'ls', '-l', '/' }.command() == ['ls', '-l', '/']
        settings { run(['ls', '-l']) }.command() == ['ls', '-l']
        settings { cmd 'echo hi' }.command() == ['/bin/sh', '-c', 'echo hi']
        settings { cmd 'sleep', 1 }.command() == ['sleep', '1']
        settings { def x = 'there'; run "echo $x" }.command() == ['/bin/sh', '-c', 'echo there']
    }

    def "the last value of a word wins; env adds up"() {
        expect:
        settings { memory '64m'; memory '128m' }.resources().memoryBytes() == 128L * 1024 * 1024
        settings { env A: '1'; env B: '2'; env A: '3' }.env() == [A: '3', B: '2']
    }

    def "assignment works like the word"() {
        expect:
        settings { memory = '64m' }.resources().memoryBytes() == 64L * 1024 * 1024
    }

    @Unroll
    def "#what is refused: #message"() {
        expect:
        error(body) == message

        where:
        what              | body                               || message
        'a word size'     | { memory 'lots' }                  || "memory 'lots': not a size (use e.g. 512m, 1g)"
        'a negative size' | { memory '-5m' }                   || "memory '-5m': not a size (use e.g. 512m, 1g)"
        'a tiny memory'   | { memory '1k' }                    || "memory '1k': below the minimum of 6m"
        'swap alone'      | { memorySwap '1g' }                || "memorySwap '1g': needs memory too"
        'swap < memory'   | { memory '64m'; memorySwap '32m' } || "memorySwap '32m': must be at least memory '64m'"
        'negative cpus'   | { cpus(-1) }                       || 'cpus -1: must be greater than 0'
        'zero cpus'       | { cpus 0 }                         || 'cpus 0: must be greater than 0'
        'too many cpus'   | { cpus 5 }                         || 'cpus 5: more than the 4 CPUs of this host'
        'tiny cpus'       | { cpus 0.001 }                     || 'cpus 0.001: must be at least 0.01'
        'word cpus'       | { cpus 'half' }                    || "cpus 'half': not a number"
        'shares 1'        | { cpuShares 1 }                    || 'cpuShares 1: must be between 2 and 262144'
        'pids 0'          | { pids 0 }                         || 'pids 0: must be greater than 0'
        'pids 1.5'        | { pids 1.5 }                       || 'pids 1.5: not a whole number'
        'env key with ='  | { env 'A=B', 'c' }                 || "env 'A=B': not a variable name (no '=' or spaces)"
        'bad hostname'    | { hostname 'b@d' }                 || "hostname 'b@d': not a valid hostname (letters, digits, '-' and '.', at most 64)"
        'relative workdir'| { workdir 'tmp' }                  || "workdir 'tmp': must be an absolute path"
        'bad user'        | { user 'a b' }                     || "user 'a b': use a name, uid or uid:gid"
        'bad name'        | { name 'web server' }              || "name 'web server': use at least 2 of letters, digits, '_', '.', '-' (first a letter or digit)"
        'empty run'       | { run '  ' }                       || 'run: empty command'
    }

    def "negative values written without parentheses (Groovy reads `cpus -1` as cpus minus 1) are checked too"() {
        expect:
        error { cpus -1 } == 'cpus -1: must be greater than 0'
        error { pids -5 } == 'pids -5: must be greater than 0'
        settings { memory '64m'; memorySwap -1 }.resources().memorySwapBytes() == -1L
    }

    def "pids -1 and unlimited swap: -1 for memorySwap means unlimited"() {
        expect:
        settings { memory '64m'; memorySwap(-1) }.resources().memorySwapBytes() == -1L
        settings { memory '64m'; memorySwap '-1' }.resources().memorySwapBytes() == -1L
    }

    @Unroll
    def "misspelt word #word suggests #suggestion"() {
        expect:
        error(body) == message

        where:
        word       | body                    || message
        'memroy'   | { memroy '1g' }         || "unknown setting 'memroy' — did you mean 'memory'?"
        'cpu'      | { cpu 1 }               || "unknown setting 'cpu' — did you mean 'cpus'?"
        'hostnme'  | { hostnme 'box' }       || "unknown setting 'hostnme' — did you mean 'hostname'?"
        'Env'      | { Env A: 'b' }          || "unknown setting 'Env' — did you mean 'env'?"
        'workDir'  | { workDir '/' }         || "unknown setting 'workDir' — did you mean 'workdir'?"
        'frobnicate' | { frobnicate '/data' } || "unknown setting 'frobnicate'"
        'memroy ='  | { memroy = '1g' }      || "unknown setting 'memroy' — did you mean 'memory'?"
        suggestion = message.contains('did you mean') ? message.find(/'(\w+)'\?$/) : 'nothing'
    }

    def "a validation error points at the line where the bad value was written"() {
        when:
        ContainerSpec spec = new ContainerSpec(4)
        spec.memory('64m')
        spec.pids(0); int pidsLine = new Throwable().stackTrace[0].lineNumber - 0
        spec.settings('busybox')

        then:
        DslException e = thrown()
        e.message == 'pids 0: must be greater than 0'
        e.stackTrace.find { it.fileName == 'ContainerSpecSpec.groovy' }.lineNumber == pidsLine
    }

    def "no image is refused"() {
        when:
        new ContainerSpec(4).settings(' ')

        then:
        DslException e = thrown()
        e.message == 'container: no image given'
    }
}

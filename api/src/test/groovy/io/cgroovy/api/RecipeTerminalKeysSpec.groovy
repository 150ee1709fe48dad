package io.cgroovy.api

import io.cgroovy.runtime.Engine
import org.junit.jupiter.api.Assumptions
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * Keys typed in a recipe's terminal after a tty exec or attach has ended reach what comes next (a
 * second tty exec, an attach, which still passes Ctrl-C on and detaches on Ctrl-P Ctrl-Q, a run -it
 * after an attach whose container ended), on the built-in runtime and through `engine` against
 * `cgroovy serve`: the recipe runs in a real pseudo-terminal (tmux) as `cgroovy run` runs it. The
 * input thread of an exec or attach that has ended must not be left reading the terminal: it would
 * take the next line typed. What comes next reads a line without a prompt of busybox sh, whose
 * cursor-position query (ESC[6n) gets a reply from the terminal that such a thread would take instead.
 */
@IgnoreIf({ System.getProperty('user.name') != 'root' })
@Timeout(600)
class RecipeTerminalKeysSpec extends Specification {
    @Shared @AutoCleanup ServedEngine served = new ServedEngine()
    /** The built-in runtime's containers (the recipe's own JVM opens its engine) go under this parent. */
    @Shared String cgroupParent = 'cgroovy-keys-test-' + UUID.randomUUID().toString().substring(0, 8)
    @Shared Path builtInRoot

    TmuxTerminal term

    def setupSpec() {
        builtInRoot = served.tmp.resolve('keys-root')
    }

    def cleanup() {
        term?.close()
        served.removeContainers()
        removeBuiltIn()
    }

    /** The built-in runtime's containers (a failed recipe leaves its detached one running) and its cgroup parent. */
    private void removeBuiltIn() {
        if (!Files.isDirectory(builtInRoot)) return
        Engine e = Engine.open(builtInRoot, cgroupParent)
        try {
            e.ps(true).each { e.remove(it.id(), true) }
            e.cgroups().removeParent()
        } finally {
            e.close()
        }
    }

    def "keys typed after a tty exec or attach ended reach the next exec, attach or run -it; Ctrl-C and Ctrl-P Ctrl-Q as before on #target"() {
        given:
        Assumptions.assumeTrue(TmuxTerminal.available(), 'tmux is not installed (scripts/install-deps)')
        String name = target.replace(' ', '-')
        Path recipe = served.tmp.resolve("keys-${name}.groovy")
        Files.writeString(recipe, (target == 'built-in' ? '' : "engine '${served.serve.dockerHost()}'\n") + '''\
            c = container('busybox') { detach(); tty(); interactive(); name 'keys-keeper'; run 'sh' }
            println "first-${c.exec([tty: true, env: [PS1: 'one> ']], 'sh')}"
            println "second-${c.exec([tty: true], 'echo ready-two; read x; echo got-$x; exit 5')}"
            println 'attaching'
            attach 'keys-keeper'
            println "detached-${c.status}"
            attach 'keys-keeper'
            code = c.exitCode
            c.rm(force: true)
            println "ended-${code}"
            d = container('busybox') { tty(); run 'echo ready-last; read x; echo got-$x; exit 6' }
            println "last-${d.exitCode}"
            '''.stripIndent())
        Path script = served.tmp.resolve("keys-${name}.sh")
        Files.writeString(script, "exec ${Path.of(System.getProperty('java.home'), 'bin', 'java')} -cp '${System.getProperty('java.class.path')}' " +
                "${TerminalRecipe.name} '${builtInRoot}' '${recipe}'\n")
        term = new TmuxTerminal(served.tmp)

        when: 'the first tty exec gets the keys typed, then its sh exits'
        term.start("sh ${script}", ['TERM=xterm-256color', "CGROOVY_CGROUP_PARENT=${cgroupParent}".toString()], 90, 30)
        term.await(/one>/)
        term.type('echo one-$((2*3))'); term.press('Enter')
        term.await(/one-6/)
        term.type('exit 4'); term.press('Enter')
        term.await(/first-4/)

        then: 'the line typed next is the second exec\'s, whole (none of it went to the first one\'s input thread)'
        term.await(/ready-two/)
        term.type('two'); term.press('Enter')
        term.await(/got-two/, 30)
        term.await(/second-5/)

        and: 'the line typed at the attach after it reaches the container\'s sh'
        term.await(/attaching/)
        sleep(1000)   // as a person would: the attach has begun (keys typed earlier wait for it in the terminal too)
        term.type('echo three-$((6*7))'); term.press('Enter')
        term.await(/three-42/, 30)

        and: 'Ctrl-C is a key for the container (its sleep ends), Ctrl-P Ctrl-Q detach, the next attach gets the keys'
        term.type('sleep 100'); term.press('Enter')
        sleep(1000)
        term.press('C-c')
        term.type('echo four-$((2*2))'); term.press('Enter')
        term.await(/four-4/, 30)
        term.press('C-p', 'C-q')
        term.await(/detached-running/)
        sleep(1000)
        term.type('exit 3'); term.press('Enter')
        term.await(/ended-3/)

        and: 'after an attach whose container ended, the keys reach the next one (run -it)'
        term.await(/ready-last/)
        term.type('last'); term.press('Enter')
        term.await(/got-last/, 30)
        term.await(/last-6\s+\[exited 0\]/)

        where:
        target << ['built-in', 'cgroovy serve']
    }
}

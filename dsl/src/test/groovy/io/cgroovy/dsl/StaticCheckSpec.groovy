package io.cgroovy.dsl

import groovy.transform.TypeChecked
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer
import spock.lang.Specification

/**
 * The DSL is statically checkable: a recipe compiled with @TypeChecked over the recipe base class
 * resolves every word, inside container/image/network closures too (their @DelegatesTo), and a
 * misspelt word is a compile error naming it. This is what lets an IDE complete and check recipes.
 */
@spock.lang.Tag('kernel-agnostic') // the compiler only
class StaticCheckSpec extends Specification {
    static Class<?> compile(String code) {
        CompilerConfiguration config = Recipe.compilerConfiguration()
        config.addCompilationCustomizers(new ASTTransformationCustomizer(TypeChecked))
        new GroovyShell(StaticCheckSpec.classLoader, new Binding(), config).parse(code, 'checked.cgroovy').getClass()
    }

    def "a recipe using the words of every closure and handle type-checks"() {
        expect:
        compile('''
            Network n = network('backend') { subnet '10.89.7.0/24'; gateway '10.89.7.1'; internal false }
            Image img = image('web:1') { from 'busybox'; run 'mkdir /www'; env PORT: '80'; workdir '/www'; cmd 'httpd', '-f' }
            Container c = container('busybox') {
                name 'web'
                memory '64m'; memorySwap '128m'; cpus 0.5; cpuShares 512; cpuset '0'; pids 64
                env GREETING: 'hi'; workdir '/tmp'; user '1000'; hostname 'box'; labels tier: 'web'
                capAdd 'NET_ADMIN'; capDrop 'MKNOD'; readOnly true; ulimit nofile: 1024
                network 'backend'; publish '127.0.0.1:8080:80'
                volume 'data', '/data'; bind '/tmp', '/host', readOnly: true; tmpfs '/run', size: '8m'
                tty(); detach(); restart 'on-failure:2'
                healthcheck 'wget -q -O- http://127.0.0.1/', interval: '5s'
                run 'sleep 1'
            }
            int status = c.exitCode
            c.stop(5)
            c.logs(tail: 10)
            String ip = c.ip
            c.copyIn '/etc/hosts', '/tmp'
            Image committed = c.commit('mine:1')
            c.rm(force: true)
            ps(all: true)
            images()
            tag 'busybox', 'mybox:1'
            rmi 'mybox:1'
            prune()
            ''') != null
    }

    def "a misspelt #kind is a compile error naming it"() {
        when:
        compile(code)

        then:
        MultipleCompilationErrorsException e = thrown()
        e.message.contains(word)

        where:
        kind                                | code                                                              | word
        'word inside a container closure'   | "container('busybox') { memroy '64m' }"                           | 'memroy'
        'handle method'                     | "Container c = container('busybox') { run 'true' }\nc.stpo()"     | 'stpo'
    }
}

package io.cgroovy.dsl

import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** image(...) { } and Dockerfile builds with the real engine (root): layers, cache, stages, reproducibility, errors. */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() })
@Timeout(600)
class BuildSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('build')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp
    @Shared String cgroupParent = fixture.cgroupParent

    ByteArrayOutputStream out = new ByteArrayOutputStream()
    ByteArrayOutputStream err = new ByteArrayOutputStream()

    def cleanup() {
        assert engine.keptContainers().isEmpty()
        assert Files.list(engine.root().resolve('containers')).withCloseable { it.count() } == 0
        assert ProcessHandle.current().descendants().filter { it.alive }.count() == 0
    }

    private Object eval(String code, Engine e = engine) {
        Session session = Session.using(e)
        session.detachStdin(out, err)
        new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable { it.eval(code) }
    }

    private Path dir(String name) { Files.createDirectories(tmp.resolve(name + '-' + UUID.randomUUID())) }

    def "image(...) builds the README's web image; a rebuild is all cache hits; editing one file reruns only what follows"() {
        given:
        Path site = dir('site')
        Files.createDirectories(site.resolve('site'))
        Files.writeString(site.resolve('site/index.html'), '<h1>v1</h1>\n')
        Files.writeString(site.resolve('notes.txt'), 'one\n')
        String recipe = """image('web:1') {
            context '${site}'
            from 'busybox'
            run 'mkdir /www && echo www:x:1000:1000::/www:/bin/sh >> /etc/passwd'
            copy 'site/', '/www/'
            env PORT: '80'
            workdir '/www'
            copy 'notes.txt', 'notes/'
            expose 80
            user 'www'
            cmd 'httpd', '-f', '-p', '80'
        }"""

        when:
        Image first = (Image) eval(recipe)
        Image second = (Image) eval(recipe)

        then:
        first.tags == ['web:1']
        first.stepsRun == 8 && first.cacheHits == 0
        second.stepsRun == 0 && second.cacheHits == 8
        second.id == first.id

        when: 'one copied file changes: that COPY and the steps after it rerun'
        Files.writeString(site.resolve('site/index.html'), '<h1>v2</h1>\n')
        Image third = (Image) eval(recipe)

        then:
        third.stepsRun == 7 && third.cacheHits == 1
        third.id != first.id

        when:
        out.reset()
        Container c = eval("container('web:1') { run 'sh', '-c', 'cat index.html notes/notes.txt; echo \$PORT \$(pwd) \$(id -un)' }")
        def cfg = engine.images().config('web:1')

        then:
        c.exitCode == 0
        out.toString().endsWith('<h1>v2</h1>\none\n80 /www www\n')
        cfg.config.cmd == ['httpd', '-f', '-p', '80']
        cfg.config.exposedPorts.keySet() == ['80/tcp'] as Set
        cfg.config.user == 'www'
        cfg.history.size() == 1 + 8

        when: 'noCache runs every step again'
        Image fourth = (Image) eval(recipe.replace("from 'busybox'", "from 'busybox'; noCache()"))

        then:
        fourth.stepsRun == 8
        fourth.id == third.id
    }

    def "a multi-stage Dockerfile builds: COPY --from takes a file an earlier stage made"() {
        given:
        Path ctx = dir('multi')
        Files.writeString(ctx.resolve('Dockerfile'), '''\
            # build stage
            FROM busybox AS builder
            ARG GREETING=hello
            RUN mkdir -p /out && echo "$GREETING from the builder" > /out/msg \\
                && echo second > /out/two
            FROM busybox
            COPY --from=builder /out/msg /app/
            COPY --from=0 /out/two /app/two.txt
            ENTRYPOINT ["cat"]
            CMD ["/app/msg", "/app/two.txt"]
            '''.stripIndent())

        when:
        Image img = (Image) eval("build '${ctx}', tag: 'multi:1', buildArgs: [GREETING: 'hi']")
        Container c = eval("container('multi:1')")

        then:
        img.tags == ['multi:1']
        c.exitCode == 0
        out.toString().endsWith('hi from the builder\nsecond\n')
        engine.images().snapshot('multi:1').layers().size() == engine.images().snapshot('busybox').layers().size() + 2
    }

    def "Dockerfile: ADD unpacks a tarball, .dockerignore leaves files out, ENV substitutes, VOLUME gives an anonymous volume"() {
        given:
        Path ctx = dir('add')
        Path payload = Files.createDirectories(ctx.resolve('payload'))
        Files.writeString(payload.resolve('a.txt'), 'from the tarball\n')
        assert ['tar', '-czf', ctx.resolve('bundle.tar.gz').toString(), '-C', payload.toString(), 'a.txt'].execute().waitFor() == 0
        Files.writeString(ctx.resolve('secret.key'), 'do not ship\n')
        Files.writeString(ctx.resolve('keep.txt'), 'shipped\n')
        Files.writeString(ctx.resolve('.dockerignore'), '*.key\npayload\n')
        Files.writeString(ctx.resolve('Dockerfile'), '''\
            FROM busybox
            ENV DEST=/opt/app
            ADD bundle.tar.gz ${DEST}/
            COPY . /ctx/
            SHELL ["/bin/sh", "-c"]
            RUN ls /ctx | sort > /ctx-list
            LABEL org.example.name="add test" version=1
            VOLUME /data
            EXPOSE 8080 53/udp 9000-9001/tcp
            CMD cat $DEST/a.txt /ctx-list; mount | grep -c ' /data '
            '''.stripIndent())

        when:
        Image img = (Image) eval("build file: '${ctx}/Dockerfile', context: '${ctx}', tag: 'add:1'")
        Container c = eval("container('add:1')")
        def cfg = engine.images().config('add:1')

        then:
        c.exitCode == 0
        out.toString().endsWith('from the tarball\nDockerfile\nbundle.tar.gz\nkeep.txt\n1\n')
        cfg.config.labels == ['org.example.name': 'add test', version: '1']
        cfg.config.volumes.keySet() == ['/data'] as Set
        cfg.config.exposedPorts.keySet() == ['8080/tcp', '53/udp', '9000/tcp', '9001/tcp'] as Set
        eval('volumes()') == []
    }

    def "two builds in two clean stores give the same image digest"() {
        given:
        Path ctx = dir('repro')
        Files.writeString(ctx.resolve('app.sh'), '#!/bin/sh\necho app\n')
        Files.writeString(ctx.resolve('Dockerfile'), '''\
            FROM busybox
            RUN mkdir -p /srv/data && echo built > /srv/data/x && touch /srv/empty && rm /etc/group
            COPY app.sh /usr/local/bin/
            WORKDIR /srv/work
            ENV A=1
            CMD ["app.sh"]
            '''.stripIndent())
        Engine other = Engine.open(tmp.resolve('root-' + UUID.randomUUID()), cgroupParent)

        when:
        Image a = (Image) eval("build '${ctx}', tag: 'repro:1'")
        Thread.sleep(1100) // a later second: mtimes differ, the clamp must hide it
        Files.setLastModifiedTime(ctx.resolve('app.sh'), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()))
        Image b = (Image) eval("build '${ctx}', tag: 'repro:1'", other)

        then:
        a.id == b.id
        a.manifestDigest == b.manifestDigest
        a.stepsRun == 5 && b.stepsRun == 5

        cleanup:
        other?.close()
        if (other != null) Engine.removeTreeOnOneFs(other.root())
    }

    def "SOURCE_DATE_EPOCH as a build arg sets every time the build writes: the same epoch gives the same digest in another store, another epoch another"() {
        given:
        Path ctx = dir('epoch')
        Files.writeString(ctx.resolve('f.txt'), 'f\n')
        Files.writeString(ctx.resolve('Dockerfile'), '''\
            FROM busybox
            RUN echo made > /made
            COPY f.txt /f.txt
            '''.stripIndent())
        Engine other = Engine.open(tmp.resolve('root-' + UUID.randomUUID()), cgroupParent)

        when:
        Image a = (Image) eval("build '${ctx}', tag: 'epoch:1', buildArgs: [SOURCE_DATE_EPOCH: '1700000000']")
        Image b = (Image) eval("build '${ctx}', tag: 'epoch:1', buildArgs: [SOURCE_DATE_EPOCH: 1700000000]", other)
        Image c = (Image) eval("build '${ctx}', tag: 'epoch:2', buildArgs: [SOURCE_DATE_EPOCH: '1700000001']")
        def cfg = engine.images().config('epoch:1')
        out.reset()
        eval("container('epoch:1') { run 'stat', '-c', '%Y', '/made', '/f.txt' }")

        then:
        a.id == b.id && a.manifestDigest == b.manifestDigest
        c.id != a.id
        c.stepsRun == 2                                 // the epoch is part of each step's cache key
        cfg.created == '2023-11-14T22:13:20Z'
        cfg.history[-2..-1]*.created == ['2023-11-14T22:13:20Z'] * 2
        out.toString() == '1700000000\n1700000000\n'    // written later than the epoch: clamped to it

        when:
        eval("build '${ctx}', buildArgs: [SOURCE_DATE_EPOCH: 'yesterday']")

        then:
        Throwable e = thrown()
        Errors.message(e) == "build: SOURCE_DATE_EPOCH 'yesterday' is not a number of seconds"

        cleanup:
        other?.close()
        if (other != null) Engine.removeTreeOnOneFs(other.root())
    }

    def "a Dockerfile error names its file and line: #error"() {
        given:
        Path ctx = dir('bad')
        Path df = ctx.resolve('Dockerfile')
        Files.writeString(df, dockerfile)

        when:
        eval("build '${ctx}'")

        then: 'the whole message (for the missing file: how it starts)'
        Throwable e = thrown()
        String expected = "${df}:${line}: ${error}"
        whole ? Errors.message(e) == expected : Errors.message(e).startsWith(expected)

        where:
        dockerfile                               | line | whole | error
        'FROM busybox\n\nFORM x\n'               | 3    | true  | "unknown instruction 'FORM' — did you mean 'FROM'?"
        'FROM busybox\nRUN true\nCOPY onlyone\n' | 3    | true  | 'COPY requires at least two arguments: a source and a destination'
        'FROM busybox\nRUN true\n\nRUN exit 7\n' | 4    | true  | "the command '/bin/sh -c exit 7' returned a non-zero code: 7"
        'FROM busybox\nCOPY missing.txt /\n'     | 2    | false | 'file not found in build context'
        'FROM busybox\nEXPOSE 80/tcp http\n'     | 2    | true  | "EXPOSE: invalid port 'http'"
    }
}

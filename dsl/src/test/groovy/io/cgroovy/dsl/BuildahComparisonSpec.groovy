package io.cgroovy.dsl

import io.cgroovy.image.LayerTree
import io.cgroovy.runtime.Engine
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.security.MessageDigest
import java.util.concurrent.TimeUnit

/**
 * The same Dockerfile built by cgroovy and by buildah (Debian's, vfs storage under a throwaway
 * root, chroot isolation, no network) from the same busybox image: the resulting filesystems
 * are compared entry by entry (type, mode, owner, size, content or link target; not mtimes).
 */
@IgnoreIf({ !ContainerIntegrationSpec.isRoot() || !BuildahComparisonSpec.hasBuildah() })
@Timeout(600)
class BuildahComparisonSpec extends Specification {
    @Shared @AutoCleanup TestEngine fixture = new TestEngine('buildah')
    @Shared Engine engine = fixture.engine
    @Shared Path tmp = fixture.tmp

    static boolean hasBuildah() {
        ['/usr/bin/buildah', '/usr/local/bin/buildah'].any { Files.isExecutable(Path.of(it)) }
    }

    def cleanupSpec() {
        try {
            if (tmp != null && Files.exists(tmp.resolve('buildah'))) {
                buildah(['rm', '--all'], false)
                buildah(['rmi', '--all', '--force'], false)
            }
        } finally {
            // buildah's vfs storage may leave a mount of its runroot: unmount what is below tmp before the fixture removes it
            new File('/proc/self/mountinfo').readLines().collect { it.split(' ')[4] }
                    .findAll { it.startsWith(tmp.toString()) }.sort { -it.length() }
                    .each { ['umount', '-l', it].execute().waitFor() }
        }
    }

    /** Runs buildah on the throwaway root; {@code offline} runs it in a new, empty network namespace (chroot isolation has no --network none). */
    private String buildah(List<String> args, boolean check = true, boolean offline = false) {
        List<String> cmd = (offline ? ['unshare', '--net', '--'] : []) + ['buildah', '--root', tmp.resolve('buildah/root').toString(), '--runroot', tmp.resolve('buildah/run').toString(),
                            '--storage-driver', 'vfs'] + args
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        pb.environment().put('BUILDAH_ISOLATION', 'chroot')
        pb.environment().put('CONTAINERS_REGISTRIES_CONF', tmp.resolve('registries.conf').toString())
        pb.environment().put('HOME', tmp.toString())
        Process p = pb.start()
        String out = p.inputStream.text
        assert p.waitFor(300, TimeUnit.SECONDS)
        if (check) assert p.exitValue() == 0: "${cmd.join(' ')}:\n${out}"
        out
    }

    def "buildah and cgroovy build the same filesystem from the same Dockerfile"() {
        given: 'busybox from our store, given to buildah as an OCI layout'
        engine.images().ensureDefaultBusybox()
        Files.createDirectories(tmp.resolve('buildah'))
        Files.writeString(tmp.resolve('registries.conf'), 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n')
        Path layout = tmp.resolve('busybox-oci')
        engine.images().save('busybox', layout, 'oci')
        buildah(['pull', '--quiet', "oci:${layout}".toString()])
        String pulled = buildah(['images', '--quiet', '--noheading']).readLines().last().trim()
        buildah(['tag', pulled, 'docker.io/library/busybox:latest'])

        and: 'a context and a Dockerfile that use RUN, COPY, ADD, WORKDIR, USER, ENV and a deletion'
        Path ctx = Files.createDirectories(tmp.resolve('ctx'))
        Files.createDirectories(ctx.resolve('site/css'))
        Files.writeString(ctx.resolve('site/index.html'), '<h1>hi</h1>\n')
        Files.writeString(ctx.resolve('site/css/a.css'), 'body{}\n')
        Path payload = Files.createDirectories(tmp.resolve('payload/sub'))
        Files.writeString(payload.resolve('f.txt'), 'in the tarball\n')
        assert ['tar', '--owner=0', '--group=0', '-czf', ctx.resolve('bundle.tgz').toString(), '-C', tmp.resolve('payload').toString(), 'sub'].execute().waitFor() == 0
        Files.writeString(ctx.resolve('Dockerfile'), '''\
            FROM busybox
            RUN mkdir -p /srv/data && echo built > /srv/data/x && chmod 0640 /srv/data/x && ln -s data/x /srv/link && rm /etc/group
            COPY site/ /www/
            ADD bundle.tgz /opt/
            ENV GREETING=hello
            WORKDIR /www/app
            RUN echo "$GREETING" > greeting && mkdir -p /var/tmp/cache && rm -r /var/tmp/cache
            USER 65534
            CMD ["sh"]
            '''.stripIndent())

        when:
        buildah(['bud', '--isolation', 'chroot', '--pull-never', '--layers=false', '-t', 'cmp:1', ctx.toString()], true, true)
        Path theirs = tmp.resolve('buildah-oci')
        buildah(['push', 'cmp:1', "oci:${theirs}:cmp".toString()])
        Session session = Session.using(engine)
        session.detachStdin(new ByteArrayOutputStream(), new ByteArrayOutputStream())
        new Interpreter(session, new PrintStream(new ByteArrayOutputStream())).withCloseable { it.eval("build '${ctx}', tag: 'cmp:ours'") }
        engine.images().importOciLayout(theirs, 'cmp:buildah')

        Map<String, String> ours = tree('cmp:ours')
        Map<String, String> buildahs = tree('cmp:buildah')
        // buildah 1.28 leaves the mount points of its RUN containers in the layer (empty files, /run);
        // Docker's builders do not, and neither does cgroovy: drop exactly those, only when empty
        String empty = sha('')
        Map<String, String> leftovers = buildahs.findAll { k, v ->
            (k in ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'] && v.startsWith('file ') && v.endsWith(" 0 ${empty}")) ||
                    (k == '/run' && v.startsWith('dir ') && !ours.containsKey('/run'))
        }
        leftovers.keySet().each { buildahs.remove(it) }

        then:
        leftovers.keySet() == ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/run'] as Set
        (ours.keySet() - buildahs.keySet()).toList() == []
        (buildahs.keySet() - ours.keySet()).toList() == []
        ours.findAll { k, v -> buildahs[k] != v }.collect { k, v -> "${k}: ours ${v}, buildah ${buildahs[k]}" } == []
        ours['/srv/data/x'] == 'file 640 0:0 6 ' + sha('built\n')
        !ours.containsKey('/etc/group')
        ours['/www/app/greeting'] == 'file 644 0:0 6 ' + sha('hello\n')

        and: 'the configs agree on what a container gets'
        def a = engine.images().config('cmp:ours').config
        def b = engine.images().config('cmp:buildah').config
        a.workingDir == b.workingDir
        a.user == b.user
        a.cmd == b.cmd
        a.env.sort() == b.env.sort()
    }

    /** Every path of the image's merged filesystem → "type mode uid:gid size sha256|target". */
    private Map<String, String> tree(String ref) {
        List<Path> layers = new ArrayList<>(engine.images().snapshot(ref).layers())
        Collections.reverse(layers)
        LayerTree t = new LayerTree(layers)
        Map<String, String> out = new TreeMap<>()
        walk(t, t.lookup('/'), out)
        out
    }

    private void walk(LayerTree t, LayerTree.Node dir, Map<String, String> out) {
        for (LayerTree.Node n : t.children(dir)) {
            Path p = n.top()
            int mode = (Files.getAttribute(p, 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int) & 07777
            String owner = "${Files.getAttribute(p, 'unix:uid', LinkOption.NOFOLLOW_LINKS)}:${Files.getAttribute(p, 'unix:gid', LinkOption.NOFOLLOW_LINKS)}"
            if (n.isDirectory()) {
                out[n.path()] = "dir ${Integer.toOctalString(mode)} ${owner}"
                walk(t, n, out)
            } else if (n.isSymlink()) {
                out[n.path()] = "link ${owner} -> ${Files.readSymbolicLink(p)}"
            } else if (n.isFile()) {
                out[n.path()] = "file ${Integer.toOctalString(mode)} ${owner} ${Files.size(p)} ${sha(Files.readAllBytes(p))}"
            } else {
                out[n.path()] = "other ${Integer.toOctalString(mode)} ${owner}"
            }
        }
    }

    private static String sha(Object data) {
        byte[] b = data instanceof String ? ((String) data).bytes : (byte[]) data
        MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString()
    }
}

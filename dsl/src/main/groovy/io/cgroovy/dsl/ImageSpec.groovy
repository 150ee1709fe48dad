package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.build.BuildStep
import io.cgroovy.runtime.build.Stage

/**
 * The words of an {@code image('web:1') { ... }} closure: the steps of a one-stage build, in
 * the order written, the same steps a Dockerfile gives. Only records; {@link #stages} checks.
 */
@CompileStatic
@WordScope('image')
class ImageSpec {
    public static final List<String> WORDS = Words.names('image')

    private String from
    private String fromWhere
    private final List<BuildStep> steps = []
    private List<String> shell = ['/bin/sh', '-c']
    boolean noCache
    String context

    @Word(value = 'The image to start from (or scratch).', usage = 'from IMAGE', example = "from 'busybox'")
    void from(String image) {
        if (from != null) throw new DslException("from: already from '${from}' (one stage per image(...); use a Dockerfile for multi-stage builds)")
        from = image
        fromWhere = where()
    }

    @Word(value = 'Runs a command in the image being built; its changes become a layer (Dockerfile RUN).', usage = 'run COMMAND | run ARG...',
          example = "run 'mkdir /www'")
    void run(Object... command) {
        List<String> argv = command.toList().flatten().collect { String.valueOf(it) }
        if (argv.isEmpty() || argv[0].trim().isEmpty()) throw new DslException('run: no command given')
        String w = where()
        if (argv.size() == 1) steps << new BuildStep.Run(w, shell + [argv[0]], shell.join(' ') + ' ' + argv[0])
        else steps << new BuildStep.Run(w, argv, argv.toString())
    }

    @Word(value = 'Copies files of the build context into the image (Dockerfile COPY).', usage = 'copy SRC..., DEST',
          example = "copy 'site/', '/www/'")
    void copy(Object... args) { copyOrAdd(false, args) }

    @Word(value = 'Like copy, and unpacks local tar archives (Dockerfile ADD).', usage = 'add SRC..., DEST', example = "add 'rootfs.tar.gz', '/'")
    void add(Object... args) { copyOrAdd(true, args) }

    @Word(value = 'Environment variables of the image (Dockerfile ENV).', usage = 'env KEY: VALUE, ...', example = "env PORT: '80'")
    void env(Map<?, ?> vars) { steps << new BuildStep.Env(where(), strings(vars)) }

    @Word(value = 'Labels of the image (Dockerfile LABEL).', usage = 'label KEY: VALUE, ...', example = "label version: '1'")
    void label(Map<?, ?> labels) { steps << new BuildStep.Label(where(), strings(labels)) }

    @Word(value = 'The working directory, made when missing (Dockerfile WORKDIR).', usage = 'workdir PATH', example = "workdir '/www'")
    void workdir(String path) { steps << new BuildStep.Workdir(where(), path) }

    @Word(value = 'The user the image runs as (Dockerfile USER).', usage = 'user NAME|UID[:GID]', example = "user 'www'")
    void user(String user) { steps << new BuildStep.User(where(), user) }

    @Word(value = 'Ports the image listens on (Dockerfile EXPOSE).', usage = 'expose PORT...', example = 'expose 80')
    void expose(Object... ports) {
        List<String> p = ports.toList().collect { String.valueOf(it) }
        for (String s : p) if (!(s ==~ /\d{1,5}(\/(tcp|udp|sctp))?/)) throw new DslException("expose: invalid port '${s}'")
        steps << new BuildStep.Expose(where(), p)
    }

    @Word(value = 'Paths that get a volume in every container of the image (Dockerfile VOLUME).', usage = 'volume PATH...', example = "volume '/data'")
    void volume(String... paths) { steps << new BuildStep.Volume(where(), paths.toList()) }

    @Word(value = 'The command containers run (Dockerfile CMD).', usage = 'cmd ARG...', example = "cmd 'httpd', '-f', '-p', '80'")
    void cmd(Object... argv) { steps << new BuildStep.Cmd(where(), argvOf('cmd', argv)) }

    @Word(value = 'The program the command is given to (Dockerfile ENTRYPOINT).', usage = 'entrypoint ARG...', example = "entrypoint '/bin/httpd'")
    void entrypoint(Object... argv) { steps << new BuildStep.Entrypoint(where(), argvOf('entrypoint', argv)) }

    @Word(value = 'The shell for run with one string (Dockerfile SHELL).', usage = 'shell ARG...', example = "shell '/bin/sh', '-c'")
    void shell(Object... argv) {
        shell = argvOf('shell', argv)
        steps << new BuildStep.Shell(where(), shell)
    }

    @Word(value = 'Builds every step even when the build cache has it.', usage = 'noCache()')
    void noCache() { noCache = true }

    @Word(value = 'The directory copy and add read from (default: the current directory).', usage = 'context DIR', example = "context 'site'")
    void context(Object dir) { context = String.valueOf(dir) }

    def methodMissing(String name, Object args) {
        throw new DslException("unknown build step '${name}'${Suggest.didYouMean(name, WORDS)}")
    }

    def propertyMissing(String name) {
        throw new DslException("unknown build step '${name}'${Suggest.didYouMean(name, WORDS)}")
    }

    List<Stage> stages() {
        if (from == null) throw new DslException("image: no 'from' (e.g. from 'busybox')")
        [new Stage(null, from, fromWhere, steps)]
    }

    private void copyOrAdd(boolean add, Object[] args) {
        String word = add ? 'add' : 'copy'
        List<String> a = args.toList().flatten().collect { String.valueOf(it) }
        if (a.size() < 2) throw new DslException("${word}: give at least a source and a destination")
        String dest = a.remove(a.size() - 1)
        steps << new BuildStep.Copy(where(), a, dest, null, null, add)
    }

    private static List<String> argvOf(String word, Object[] argv) {
        List<String> l = argv.toList().flatten().collect { String.valueOf(it) }
        if (l.isEmpty()) throw new DslException("${word}: no arguments")
        l
    }

    private static Map<String, String> strings(Map<?, ?> m) {
        Map<String, String> out = new LinkedHashMap<>()
        m.each { k, v -> out.put(String.valueOf(k), String.valueOf(v)) }
        out
    }

    /** "file:line" of the recipe line that wrote the step, for build errors. */
    private static String where() {
        StackTraceElement e = new Throwable().stackTrace.find { StackTraceElement s ->
            s.fileName != null && !s.className.startsWith('io.cgroovy.dsl.ImageSpec') && !s.className.startsWith('org.codehaus') &&
                    !s.className.startsWith('java.') && !s.className.startsWith('jdk.') && !s.className.startsWith('groovy.') &&
                    s.lineNumber > 0
        }
        e == null ? 'image' : "${e.fileName}:${e.lineNumber}".toString()
    }
}

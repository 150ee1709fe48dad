package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * The documentation of the DSL words, in one place: the shell's {@code :help} and {@code :help WORD},
 * and the "did you mean" hints, read it. A word others add to {@link CgroovyScript#WORDS} or
 * {@link ContainerSpec#WORDS} without a doc here is still listed (its usage is its name).
 */
@CompileStatic
final class WordDocs {
    private WordDocs() {}

    /** Where a word is written: at the top level, or inside {@code container(image) { ... }}. */
    static enum Scope { TOP, CONTAINER }

    /** One word: how it is called, one line of what it does, a runnable example. */
    @CompileStatic
    static final class Doc {
        final String word
        final Scope scope
        final String usage
        final String summary
        final String example

        Doc(String word, Scope scope, String usage, String summary, String example) {
            this.word = word
            this.scope = scope
            this.usage = usage
            this.summary = summary
            this.example = example
        }
    }

    private static final Map<String, Doc> DOCS = new LinkedHashMap<>()

    private static void top(String word, String usage, String summary, String example) {
        DOCS.put(word, new Doc(word, Scope.TOP, usage, summary, example))
    }

    private static void inside(String word, String usage, String summary, String example) {
        DOCS.put(word, new Doc(word, Scope.CONTAINER, usage, summary, example))
    }

    static {
        top('container', "container(image) { ... }",
                'runs a container from image in the foreground and returns it when it has ended (c.exitCode, c.id, c.name, c.oomKilled)',
                "c = container('busybox') { memory '64m'; run 'echo hi' }")
        top('images', 'images()', 'the images in the store, as a table (REPOSITORY TAG IMAGE ID CREATED SIZE)', 'images()')
        top('load', "load 'PATH'", 'loads a docker-save archive or an OCI layout (directory or tar); returns the images loaded',
                "load '/tmp/alpine.tar'")
        top('tag', "tag 'SOURCE', 'TARGET'", 'gives an image another name', "tag 'busybox', 'mybox:1'")
        top('rmi', "rmi 'REF'", 'removes an image name, and the image when it was its last name', "rmi 'mybox:1'")
        top('exit', 'exit N', 'leaves the shell (or ends the recipe) with status N', 'exit 0')
        inside('memory', "memory 'SIZE'", "memory limit: bytes or a size with unit b, k, m, g ('512m', '1g'); Docker's -m",
                "container('busybox') { memory '64m'; run 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes' }")
        inside('memorySwap', "memorySwap 'SIZE'", "memory plus swap, at least memory; -1 for unlimited swap; Docker's --memory-swap",
                "container('busybox') { memory '64m'; memorySwap '128m'; run 'true' }")
        inside('cpus', 'cpus N', "CPUs as a fraction (0.5) up to the host's count; Docker's --cpus",
                "container('busybox') { cpus 0.5; run 'true' }")
        inside('cpuShares', 'cpuShares N', "relative CPU weight 2..262144 (1024 is the default); Docker's --cpu-shares",
                "container('busybox') { cpuShares 512; run 'true' }")
        inside('pids', 'pids N', "most processes the container may have; Docker's --pids-limit",
                "container('busybox') { pids 64; run 'true' }")
        inside('env', "env NAME: 'value', ...", "environment variables; Docker's -e",
                "container('busybox') { env GREETING: 'hi'; run 'echo \$GREETING' }")
        inside('hostname', "hostname 'NAME'", "the container's host name; Docker's -h",
                "container('busybox') { hostname 'box'; run 'hostname' }")
        inside('workdir', "workdir '/DIR'", "the working directory of the command; Docker's -w",
                "container('busybox') { workdir '/tmp'; run 'pwd' }")
        inside('user', "user 'NAME|UID[:GID]'", "the user the command runs as; Docker's -u",
                "container('busybox') { user 'nobody'; run 'id' }")
        inside('name', "name 'NAME'", "the container's name (else one is made up); Docker's --name",
                "container('busybox') { name 'web'; run 'true' }")
        inside('run', "run 'COMMAND' | run 'PROG', 'ARG', ...", 'the command to run: one string goes through sh -c, several are the argv',
                "container('busybox') { run 'ls', '-l', '/' }")
        inside('cmd', "cmd 'PROG', 'ARG', ...", "sets the command without starting it early (like Docker's CMD)",
                "container('busybox') { cmd 'echo', 'hi' }")
    }

    /**
     * Words that only look (list, inspect, show): a shell session saved as a recipe leaves them out.
     * Any other word (documented or not) is taken to change state.
     */
    public static final Set<String> QUERIES = (['images', 'ps', 'networks', 'volumes', 'stats', 'inspect', 'logs',
                                               'history', 'top', 'port', 'diff', 'explain', 'exit'] as Set<String>).asImmutable()

    /** False for the words that only look ({@link #QUERIES}), true for every other word. */
    static boolean changesState(String word) { !QUERIES.contains(word) }

    /** The doc of {@code word}, or null. */
    static Doc of(String word) { DOCS.get(word) }

    /** Every documented word, in the order of the help. */
    static Collection<Doc> all() { Collections.unmodifiableCollection(DOCS.values()) }

    /** The words of one scope, documented or not (the DSL's own lists are the truth of what exists). */
    static List<String> words(Scope scope) { scope == Scope.TOP ? CgroovyScript.WORDS : ContainerSpec.WORDS }

    /** "usage — summary" for {@code word}; its name alone when nobody documented it. */
    static String line(String word) {
        Doc d = DOCS.get(word)
        d == null ? word : "${d.usage} — ${d.summary}".toString()
    }
}

package io.cgroovy.shell

import io.cgroovy.image.LocalRegistry
import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * The launcher in a real terminal (tmux, 100x40): what the user sees after typing, read back
 * from the screen. Container cases need root; each spec has its own state root and cgroup parent.
 * A container's own terminal (tty(), attach, exec -it) is RemoteTerminalScreenSpec's, on each engine.
 */
@IgnoreIf(value = { !TmuxScreen.available() }, reason = 'tmux is not installed (scripts/install-deps)')
@Timeout(400)
class TerminalScreenSpec extends Specification {
    @TempDir Path dir
    String cgroupParent = 'cgroovy-screen-test-' + UUID.randomUUID().toString().substring(0, 8)
    TmuxScreen screen

    def setup() {
        screen = new TmuxScreen(dir, 100, 40)
    }

    def cleanup() {
        screen?.close()
        removeContainers(dir.resolve('root'))
        List<String> left = TestCgroups.remove(cgroupParent)
        assert left.isEmpty(): "cgroups left behind: ${left}"
    }

    /** Detached containers a failed spec left running (their monitors outlive the shell): removed with the DSL. */
    private void removeContainers(Path root) {
        Path containers = root.resolve('containers')
        if (!Files.isDirectory(containers) || Files.list(containers).withCloseable { it.count() } == 0) return
        Map r = launchWith(root, [], 'ps(all: true).each { it.rm(force: true) }\n')
        if (r.status != 0) System.err.println("removing the containers of ${root}: ${r.err}")
    }

    private Map<String, String> env(Map<String, String> more = [:]) { ShellLaunch.env(dir, cgroupParent, more) }

    private void startShell(Map<String, String> more = [:]) {
        screen.start(LauncherSpec.LAUNCHER.toString(), env(more), dir)
        screen.await('cgroovy>')
    }

    def "help from the DSL's docs, a word completed with Tab, a file path completed for load, colours"() {
        given:
        Files.createDirectories(dir.resolve('images'))
        Files.writeString(dir.resolve('images/busybox-export.tar'), 'not really')

        when:
        startShell()
        screen.enter(':help', 'shell commands:')
        String one = screen.enter(':help memory', 'e.g. ')
        screen.type('cpuSh')                              // one word starts so (ima would be image and images)
        screen.press('Tab')
        screen.await('cgroovy> cpuShares')
        screen.press('C-u')
        screen.type("load 'ima")
        screen.press('Tab')
        screen.await("load 'images/")
        screen.press('Tab')
        String shown = screen.await("load 'images/busybox-export.tar'")
        String colours = screen.ansi
        screen.press('C-u')
        screen.enter('x = 6 * 7', '==> 42')

        then:
        one.contains('memory SIZE    (container)')
        one.contains("e.g. memory '512m'")
        shown.contains("cgroovy> load 'images/busybox-export.tar'")
        colours.contains('\u001B[')                       // the line is highlighted
    }

    def "an open bracket indents the next line; Ctrl-R finds a line of an earlier session's history and runs it"() {
        when: 'a closure over two lines: the continuation line starts indented by one step'
        startShell()
        screen.type('twice = {')
        screen.press('Enter')
        screen.await('.......>')
        screen.type('it * 2')
        String indented = screen.await('it * 2')
        screen.press('Enter')
        screen.type('}')
        screen.press('Enter')
        screen.await('==> closure')
        screen.enter("'hist' + 'ory' + ' found'", '==> history found')
        screen.press('C-d')
        screen.await('[exited 0]')

        and: 'a new shell in a new terminal: Ctrl-R and a few letters find the line, Enter runs it'
        screen.close()
        screen = new TmuxScreen(Files.createDirectories(dir.resolve('again')), 100, 40)
        startShell()
        screen.press('C-r')
        screen.type("'ory")
        String search = screen.await("'hist' + 'ory' + ' found'")
        screen.press('Enter')
        String ran = screen.await('==> history found')

        then:
        indented.readLines().any { it ==~ /\.+> {5}it \* 2/ }      // the prompt's space, then 4 for the open brace
        search.contains('search')
        ran.count('==> history found') == 1               // this shell never had the line typed: it came from the history file
    }

    def "NO_COLOR: no colour codes at the prompt"() {
        when:
        startShell(NO_COLOR: '1')
        screen.type("container('busybox') { memory '64m' }")
        screen.await("memory '64m' }")

        then:
        !screen.ansi.contains('\u001B[3')        // no foreground colour anywhere
        !screen.ansi.contains('\u001B[1m')       // nor bold
    }

    @IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
    def "Tab completes a container's name; images() is a table that fits the terminal; Ctrl-C stops a running sleep"() {
        when:
        startShell()
        screen.enter("web = container('busybox') { name 'screen-web-1'; run 'true' }", '==> container screen-web-1')
        screen.type("inspect('scr")
        screen.press('Tab')
        String completed = screen.await("inspect('screen-web-1'")
        screen.press('C-u')
        screen.enter("tag 'busybox', 'a-rather-long-repository-name-for-a-narrow-terminal/with/many/parts/to/cut:1'", '==> image')
        String table = screen.enter('images()', 'MB\ncgroovy>')
        screen.enter("container('busybox') { run 'echo sleeping; sleep 600' }", '\nsleeping')
        screen.press('C-c')
        screen.awaitAfter(screen.text.lastIndexOf('sleeping'), '==> container ', 120)
        String after = screen.awaitAfter(screen.text.lastIndexOf('sleeping'), '\ncgroovy>', 60)

        then:
        completed.contains("cgroovy> inspect('screen-web-1'")
        List<String> rows = table.readLines().dropWhile { !it.startsWith('REPOSITORY') }.takeWhile { !it.startsWith('cgroovy>') }
        rows.size() == 3                              // headers, busybox, the long name
        rows.every { it.length() <= 100 }
        rows[0] ==~ /REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/
        rows.any { it.contains('…') }                  // the long name was cut to fit
        rows.any { it ==~ /busybox\s+latest\s+[0-9a-f]{12}\s+.*B/ }
        after.contains('==> container ')                // the handle comes back, then the prompt
    }

    @IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
    def "stats(c) is a table refreshed in place until a key is pressed"() {
        when:
        startShell()
        // a container kept running by a thread of the shell, so the prompt is free
        screen.enter("bg = Thread.start { container('busybox') { name 'stats-bg-1'; memory '64m'; run 'echo up-\$((40+2)); sleep 40' } }; null", 'up-42')
        screen.enter("stats('stats-bg-1')", '(any key stops)')
        String live = ''
        long end = System.nanoTime() + 60_000_000_000L
        while (!(live =~ /stats-bg-1\s+\d+\.\d\d%/) && System.nanoTime() < end) {   // a later frame has a CPU %
            sleep 200
            live = screen.text
        }
        screen.type('q')
        String after = screen.awaitAfter(screen.text.lastIndexOf("stats('stats-bg-1')"), '\ncgroovy>')
        screen.enter('1 + 1', '==> 2')

        then:
        live.contains('MEM USAGE / LIMIT')
        live =~ /stats-bg-1\s+\d+\.\d\d%\s+[\d.]+[KMG]?i?B \/ 64\.00MiB/
        after.count('MEM USAGE / LIMIT') == 1          // redrawn in place, not printed again
    }

    @IgnoreIf(value = { !LauncherSpec.isRoot() || !LocalRegistry.available() }, reason = 'needs root (commit) and docker-registry')
    def "a pull from a local registry draws a bar per layer, with the total bytes and the speed"() {
        given: 'an image with a fresh 3 MB layer in a registry on 127.0.0.1 (pushed from another state root)'
        LocalRegistry registry = LocalRegistry.start(dir.resolve('registry'))
        String ref = "${registry.host}/shell/rand:1"
        Map pushed = launchWith(dir.resolve('pushroot'), [], """c = container('busybox') { keep true; run 'head -c 3000000 /dev/urandom > /blob' }
c.commit 'shell/rand:1'
push 'shell/rand:1', '${ref}', insecure: true
""")
        assert pushed.status == 0: pushed.err

        when:
        startShell()
        String shown = screen.enter("pull '${ref}', insecure: true", '==> image')

        then:
        shown =~ /[0-9a-f]{12}  Pull complete\s+3MB/                       // the new layer, whole
        shown =~ /total [\d.]+[kM]?B \/ [\d.]+[kM]?B  [\d.]+[kMG]?B\/s/       // total bytes and speed
        !shown.contains('Downloading    [')                                  // the last frame replaced the bars in place

        cleanup:
        registry?.close()
    }

    @IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
    def "ps() of a detached container is a table; Tab completes its name from what ps lists"() {
        when:
        startShell()
        screen.enter("container('busybox') { name 'screen-det-1'; detach(); run 'sleep 300' }", '==> ')
        String table = screen.enter('ps()', 'screen-det-1')
        screen.type("stop 'screen-d")
        screen.press('Tab')
        String completed = screen.await("stop 'screen-det-1'")
        screen.press('Enter')
        screen.awaitAfter(screen.text.lastIndexOf("stop 'screen-det-1'"), '\ncgroovy>')

        then:
        table =~ /CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES/
        table =~ /[0-9a-f]{12}\s+busybox\s+.*Up .*screen-det-1/
        completed.contains("cgroovy> stop 'screen-det-1'")

        cleanup:
        launchWith(dir.resolve('root'), [], "rm 'screen-det-1', force: true\n")
    }

    @IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
    def ":save writes the session's state-changing commands as a recipe that cgroovy run replays to the same state"() {
        given:
        Path recipe = dir.resolve('env.cgroovy')

        when:
        startShell()
        screen.enter("limit = '64m'", '==> 64m')
        screen.enter("c = container('busybox') { memory limit; run 'echo first' }", '==> container ')
        screen.enter('c.exitCode', '==> 0')
        screen.enter("tag 'busybox', 'saved/box:1'", '==> image ')
        screen.enter('nope()', "error: unknown word 'nope'")
        screen.enter('images()', 'MB\ncgroovy>')
        screen.enter(":save ${recipe}", "==> saved 3 commands to ${recipe} and its lock env.cgroovy.lock")
        Path lock = dir.resolve('env.cgroovy.lock')
        String pinned = Files.readString(lock)
        String tableHere = piped(dir.resolve('root'), 'images()\n')

        Path replayRoot = dir.resolve('replay')
        Map r = launch(replayRoot, 'run', recipe.toString())
        String tableThere = piped(replayRoot, 'images()\n')

        then:
        Files.readAllLines(recipe).findAll { !it.startsWith('//') } ==
                ["limit = '64m'", "c = container('busybox') { memory limit; run 'echo first' }", "tag 'busybox', 'saved/box:1'"]
        r.status == 0
        r.out == 'first\n'
        names(tableThere) == names(tableHere)
        names(tableThere).contains('saved/box 1')
        pinned =~ /"busybox:latest" : "sha256:[0-9a-f]{64}"/    // the image the container ran, by digest
        !pinned.contains('saved/box')                          // tag only names it; no container ran from it
        Files.readString(lock) == pinned                       // the replay ran what the lock says, and kept it
    }

    /** REPOSITORY and TAG of each row of an images() table. */
    private static List<String> names(String table) {
        table.readLines().drop(1).collect { it.split(/\s{3,}/) }.collect { "${it[0]} ${it[1]}".toString() }.sort()
    }

    /** The shell with {@code input} piped in, on state root {@code root}: its stdout. */
    private String piped(Path root, String input) {
        Map r = launchWith(root, [], input)
        assert r.status == 0: r.err
        r.out
    }

    private Map launchWith(Path root, List<String> args, String input) {
        ShellLaunch.run(env(CGROOVY_ROOT: root.toString()), dir, args, input)
    }

    private Map launch(Path root, String... args) { launchWith(root, args as List, '') }
}

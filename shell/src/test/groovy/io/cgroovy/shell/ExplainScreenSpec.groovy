package io.cgroovy.shell

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * c.explain() and imageTree() on a real 80-column terminal (tmux): read back from the screen with wrapped lines
 * joined (capture-pane -J), so a line the terminal had to wrap shows up wider than 80.
 */
@IgnoreIf(value = { !TmuxScreen.available() }, reason = 'tmux is not installed (scripts/install-deps)')
@IgnoreIf(value = { !LauncherSpec.isRoot() }, reason = 'containers need root')
@Timeout(500)
class ExplainScreenSpec extends Specification {
    @TempDir Path dir
    String cgroupParent = 'cgroovy-screen-test-' + UUID.randomUUID().toString().substring(0, 8)
    String name = 'explain-scr-' + UUID.randomUUID().toString().substring(0, 6)
    TmuxScreen screen

    def setup() {
        screen = new TmuxScreen(dir, 80, 60)
    }

    def cleanup() {
        try {
            screen?.close()
            // the detached container outlives the shell: remove it (and its cgroup) with a shell of its own
            ProcessBuilder pb = new ProcessBuilder(LauncherSpec.LAUNCHER.toString())
            pb.environment().putAll(env())
            pb.redirectErrorStream(true)
            Process p = pb.start()
            p.outputStream.withCloseable { it.write("rm '${name}', force: true\n".getBytes('UTF-8')) }
            p.inputStream.text
            p.waitFor(240, TimeUnit.SECONDS)
        } finally {
            ['sh', '-c', "for d in /sys/fs/cgroup/${cgroupParent} /sys/fs/cgroup/*/${cgroupParent}; do " +
                    '[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \\; ; done; true'].execute().waitFor()
        }
    }

    private Map<String, String> env() {
        [CGROOVY_CLASSPATH: System.getProperty('java.class.path'), CGROOVY_ROOT: dir.resolve('root').toString(),
         CGROOVY_CGROUP_PARENT: cgroupParent, CGROOVY_HISTORY: dir.resolve('history').toString(), TERM: 'xterm-256color']
    }

    /** Types a line and Enter; the screen from the line to the next prompt. */
    private String enter(String line, String expected) {
        screen.type(line)
        screen.await(line)
        int at = screen.text.lastIndexOf(line)
        screen.press('Enter')
        String shown = screen.awaitAfter(at, expected, 180)
        shown = screen.awaitAfter(at, '\ncgroovy>', 120)
        shown.substring(0, shown.lastIndexOf('\ncgroovy>'))
    }

    def "c.explain() and imageTree() fit an 80-column terminal"() {
        when:
        screen.start(LauncherSpec.LAUNCHER.toString(), env(), dir)
        screen.await('cgroovy>')
        enter("image('scr-app:1') { from 'busybox'; run 'echo a > /a'; run 'echo b > /b' }", '==> image')
        enter("c = container('busybox') { detach(); name '${name}'; memory '64m'; pids 40; run 'sleep 600' }", '==> container')
        String explained = enter('c.explain()', '└─ mounts')
        String tree = enter('imageTree()', 'layers, ')
        enter('c.rm(force: true)', 'cgroovy>')

        then: 'the views were printed as text, not as maps'
        explained.contains("container ${name} (host pid ")
        explained.contains('own: mnt uts ipc pid net cgroup')
        explained.contains('64.0MiB')
        explained.contains('rootfs overlay, lowest layer first')
        tree.contains('2 images, 3 layers, ')
        tree.contains('busybox:latest')
        tree.contains('scr-app:1')

        and: 'no line is wider than the terminal (a wrapped line would be joined back into one wider line)'
        (explained.readLines() + tree.readLines()).every { it.length() <= 80 }
        explained.readLines().size() > 20
    }
}

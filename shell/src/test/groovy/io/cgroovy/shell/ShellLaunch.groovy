package io.cgroovy.shell

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The shell as the screen specs start it (from the test classpath, skipping the launcher's build):
 * its environment, and a run with input piped in and its output in files.
 */
class ShellLaunch {
    /** The launcher's environment: state root, history and TERM in {@code dir}, {@code cgroupParent}; then {@code more}. */
    static Map<String, String> env(Path dir, String cgroupParent, Map<String, String> more = [:]) {
        [CGROOVY_CLASSPATH: System.getProperty('java.class.path'), CGROOVY_ROOT: dir.resolve('root').toString(),
         CGROOVY_CGROUP_PARENT: cgroupParent, CGROOVY_HISTORY: dir.resolve('history').toString(), TERM: 'xterm-256color'] + more
    }

    /** Runs the launcher with {@code args} and {@code env}, {@code input} on stdin (output files in {@code dir}); [status, out, err]. */
    static Map run(Map<String, String> env, Path dir, List<String> args, String input) {
        ProcessBuilder pb = new ProcessBuilder([LauncherSpec.LAUNCHER.toString()] + args)
        pb.environment().putAll(env)
        Path out = Files.createTempFile(dir, 'out', '.txt')
        Path err = Files.createTempFile(dir, 'err', '.txt')
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        Process p = pb.start()
        p.outputStream.withCloseable { it.write(input.getBytes('UTF-8')) }
        assert p.waitFor(240, TimeUnit.SECONDS)
        [status: p.exitValue(), out: Files.readString(out), err: Files.readString(err)]
    }
}

package io.cgroovy.shell

import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit

/**
 * Recipes as executables: {@code #!/usr/bin/env cgroovy} with the launcher on PATH (as a user
 * installs it, by a symlink), -p parameters, the exit status. No containers: no root needed.
 */
@Timeout(300)
class RecipeLauncherSpec extends Specification {
    @TempDir Path dir

    /** Runs {@code command} with a PATH whose first entry holds {@code cgroovy} → scripts/cgroovy; [status, out, err]. */
    private Map exec(List<String> command) {
        Path bin = Files.createDirectories(dir.resolve('bin'))
        if (!Files.exists(bin.resolve('cgroovy'))) Files.createSymbolicLink(bin.resolve('cgroovy'), LauncherSpec.LAUNCHER)
        // (ProcessBuilder looks the program up in this JVM's PATH: name the symlink itself)
        ProcessBuilder pb = new ProcessBuilder(command[0] == 'cgroovy' ? [bin.resolve('cgroovy').toString()] + command.drop(1) : command)
        Map<String, String> env = pb.environment()
        env.put('PATH', "${bin}:${env.get('PATH')}".toString())
        env.put('CGROOVY_CLASSPATH', System.getProperty('java.class.path'))
        env.put('CGROOVY_ROOT', dir.resolve('root').toString())
        Path outFile = dir.resolve('out.txt'), errFile = dir.resolve('err.txt')
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        Process p = pb.start()
        assert p.waitFor(240, TimeUnit.SECONDS)
        [status: p.exitValue(), out: Files.readString(outFile), err: Files.readString(errFile)]
    }

    private Path recipe(String text, String mode = 'rwxr-xr-x') {
        Path f = dir.resolve('env.cgroovy')
        Files.writeString(f, text)
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode))
        f
    }

    static final String PORTS = '''#!/usr/bin/env cgroovy
params { port 8080 }
println "port ${port} (${port.class.simpleName}) args ${args as List}"
exit port % 256
'''

    def "an executable recipe runs through its shebang line, with its defaults"() {
        when:
        Map r = exec([recipe(PORTS).toString()])

        then:
        r.err == ''
        r.out == 'port 8080 (Integer) args []\n'
        r.status == 8080 % 256
    }

    def "-p replaces a default, typed; later words are the recipe's args"() {
        when:
        Map r = exec([recipe(PORTS).toString(), '-p', 'port=8193', 'a', 'b'])

        then:
        r.err == ''
        r.out == 'port 8193 (Integer) args [a, b]\n'
        r.status == 1
    }

    def "cgroovy run takes -p too; a bad value is one line naming the file and line"() {
        when:
        Path f = recipe(PORTS)
        Map ok = exec(['cgroovy', 'run', '-p', 'port=8194', f.toString()])
        Map bad = exec(['cgroovy', 'run', f.toString(), '-p', 'port=http'])

        then:
        ok.status == 2 && ok.out == 'port 8194 (Integer) args []\n'
        bad.status == 1
        bad.out == ''
        bad.err == "${f}:2: parameter 'port': 'http' is not a whole number\n"
    }

    def "a recipe others may write is refused, before anything runs"() {
        when:
        Path f = recipe(PORTS, 'rwxrwxrwx')
        Map r = exec([f.toString()])

        then:
        r.status == 2
        r.out == ''
        r.err == "cgroovy: ${f}: writable by other users; a recipe runs with the engine's rights (chmod go-w ${f})\n"
    }
}

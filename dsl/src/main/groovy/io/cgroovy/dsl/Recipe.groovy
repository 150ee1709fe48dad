package io.cgroovy.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.control.CompilerConfiguration

import java.nio.file.Files
import java.nio.file.Path

/**
 * Runs a {@code .cgroovy} file: compiled with {@link CgroovyScript} as its base class, then run.
 * Exit status: an explicit {@code exit N}, else the last foreground container's exit code, else 0;
 * any error is one line "file:line: message" on {@code err} and status 1.
 */
@CompileStatic
final class Recipe {
    /** The status of a recipe stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130

    private Recipe() {}

    /** The compiler settings of every recipe and shell line. */
    static CompilerConfiguration compilerConfiguration() {
        CompilerConfiguration config = new CompilerConfiguration()
        config.scriptBaseClass = CgroovyScript.name
        config
    }

    /** Runs {@code file} with {@code args} (the script's {@code args}) in {@code session}; returns the exit status. */
    static int run(Path file, List<String> args, Session session, PrintStream err) {
        String shown = file.toString()
        if (!Files.isRegularFile(file)) {
            err.println("cgroovy: ${shown}: no such file")
            return 2
        }
        Binding binding = new Binding()
        binding.setVariable('args', args as String[])
        binding.setVariable(Session.VARIABLE, session)
        try {
            GroovyShell shell = new GroovyShell(Recipe.classLoader, binding, compilerConfiguration())
            Script script = shell.parse(file.toFile())
            script.run()
            session.cancelled ? INTERRUPTED : (session.lastExitCode ?: 0)
        } catch (ExitRequest exit) {
            exit.status
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) throw t
            err.println(Errors.forRecipe(t, shown, file.fileName.toString()))
            session.cancelled ? INTERRUPTED : 1
        }
    }
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.control.CompilerConfiguration

import javax.lang.model.SourceVersion
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
        String sourceName = sourceName(file)
        Binding binding = new Binding()
        binding.setVariable('args', args as String[])
        binding.setVariable(Session.VARIABLE, session)
        try {
            GroovyShell shell = new GroovyShell(Recipe.classLoader, binding, compilerConfiguration())
            Script script = shell.parse(new GroovyCodeSource(Files.readString(file), sourceName, '/groovy/script'))
            script.run()
            session.cancelled ? INTERRUPTED : (session.lastExitCode ?: 0)
        } catch (ExitRequest exit) {
            exit.status
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) throw t
            err.println(Errors.forRecipe(t, shown, sourceName))
            session.cancelled ? INTERRUPTED : 1
        }
    }

    /**
     * The name the recipe is compiled under; it names the script class, so it must be a Java
     * identifier ("long.cgroovy" or "1st.cgroovy" would not be): "long" becomes "_long".
     */
    static String sourceName(Path file) {
        String base = file.fileName.toString()
        int dot = base.lastIndexOf('.')
        if (dot > 0) base = base.substring(0, dot)
        if (!SourceVersion.isName(base)) {
            base = base.replaceAll(/[^A-Za-z0-9_$]/, '_')
            if (!SourceVersion.isName(base)) base = '_' + base
        }
        base + '.cgroovy'
    }
}

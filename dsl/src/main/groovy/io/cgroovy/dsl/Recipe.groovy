package io.cgroovy.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

import javax.lang.model.SourceVersion
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission

/**
 * Runs a {@code .cgroovy} file: compiled with {@link CgroovyScript} as its base class, then run.
 * Exit status: an explicit {@code exit N}, else the last foreground container's exit code, else 0;
 * any error is one line "file:line: message" on {@code err} and status 1; a recipe that cannot
 * be run (missing, writable by others, -p it does not declare) is status 2.
 */
@CompileStatic
final class Recipe {
    /** The status of a recipe stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130

    private Recipe() {}

    /** The types a recipe may name without an import ({@code Container c = container(...)}, for an IDE or @TypeChecked). */
    static final List<Class<?>> HANDLE_TYPES = [Container, Image, Network, ContainerList, ImageList, StatsList, View, ViewList].asImmutable() as List<Class<?>>

    /** The compiler settings of every recipe and shell line. */
    static CompilerConfiguration compilerConfiguration() {
        CompilerConfiguration config = new CompilerConfiguration()
        config.scriptBaseClass = CgroovyScript.name
        config.addCompilationCustomizers(new ImportCustomizer().addImports(HANDLE_TYPES*.name as String[]))
        config
    }

    /** Runs {@code file} with {@code args} (the script's {@code args}) in {@code session}; returns the exit status. */
    static int run(Path file, List<String> args, Session session, PrintStream err) {
        run(file, new RecipeOptions(file: file.toString(), args: args), session, err)
    }

    /**
     * Runs {@code file} as {@code options} say (params, args, lock) in {@code session}; returns the
     * exit status. The lock beside the file pins the images; it is written when a new image was pinned.
     */
    static int run(Path file, RecipeOptions options, Session session, PrintStream err) {
        String shown = file.toString()
        String refused = refusal(file)
        if (refused != null) {
            err.println("cgroovy: ${shown}: ${refused}")
            return 2
        }
        String source = Files.readString(file)
        if (options.params && !(source =~ /\bparams\s*\{/)) {
            err.println("cgroovy: ${shown}: -p ${options.params.keySet()[0]}=...: the recipe declares no params { }")
            return 2
        }
        String sourceName = sourceName(file)
        Binding binding = new Binding()
        binding.setVariable('args', options.args as String[])
        binding.setVariable(Session.VARIABLE, session)
        binding.setVariable(CgroovyScript.PARAMS_GIVEN, new LinkedHashMap<String, String>(options.params))
        RecipeLock lock = null
        try {
            lock = RecipeLock.forRecipe(file, options.updateLock)
            session.lock = lock
            GroovyShell shell = new GroovyShell(Recipe.classLoader, binding, compilerConfiguration())
            Script script = shell.parse(new GroovyCodeSource(source, sourceName, '/groovy/script'))
            script.run()
            if (options.params && !binding.hasVariable(CgroovyScript.PARAMS_DECLARED)) {
                err.println("cgroovy: ${shown}: -p ${options.params.keySet()[0]}=...: the recipe never ran params { }")
                return 2
            }
            session.cancelled ? INTERRUPTED : (session.lastExitCode ?: 0)
        } catch (ExitRequest exit) {
            exit.status
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) throw t
            err.println(Errors.forRecipe(t, shown, sourceName))
            session.cancelled ? INTERRUPTED : 1
        } finally {
            session.lock = null
            // the pins made are true whatever the recipe's outcome: keep them (first run writes the lock)
            if (lock != null && options.verb != 'plan' && (lock.changed || (options.updateLock && lock.pins) || options.verb == 'lock')) {
                try {
                    lock.write()
                } catch (IOException e) {
                    err.println("cgroovy: ${lock.file}: cannot write the lock: ${e.message}")
                }
            }
        }
    }

    /**
     * Why {@code file} must not run, or null. A recipe runs with the engine's rights (root), so one
     * that other users may change is refused, like sudo refuses a group- or world-writable sudoers.
     */
    static String refusal(Path file) {
        if (!Files.isRegularFile(file)) return 'no such file'
        if (!Files.isReadable(file)) return 'cannot read it'
        Set<PosixFilePermission> perms
        try {
            perms = Files.getPosixFilePermissions(file)
        } catch (UnsupportedOperationException ignored) {
            return null
        }
        if (perms.contains(PosixFilePermission.OTHERS_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
            return "writable by other users; a recipe runs with the engine's rights (chmod go-w ${file})"
        }
        null
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

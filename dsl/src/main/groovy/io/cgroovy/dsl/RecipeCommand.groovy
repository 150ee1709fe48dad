package io.cgroovy.dsl

import groovy.transform.CompileStatic

import java.nio.file.Files
import java.nio.file.Path

/**
 * The recipe verbs of the {@code cgroovy} command line ({@code run}, and a bare FILE, which is
 * how the kernel calls a {@code #!/usr/bin/env cgroovy} recipe). The shell's Main hands them here.
 */
@CompileStatic
final class RecipeCommand {
    /** The verbs this class runs. */
    public static final List<String> VERBS = ['run', 'up', 'plan', 'down', 'lock'].asImmutable()

    private RecipeCommand() {}

    /**
     * True when {@code word}, the first command-line word, is a recipe file rather than a verb:
     * {@code cgroovy ./env.cgroovy} (what a shebang line makes of {@code ./env.cgroovy}).
     */
    static boolean isRecipeFile(String word) {
        !(word in VERBS) && !word.startsWith('-') && (word.endsWith('.cgroovy') || word.contains('/') || Files.isRegularFile(Path.of(word)))
    }

    /** Runs {@code verb} with the words after it; the exit status (2: a usage error). */
    static int run(String verb, List<String> words, Session session, PrintStream out, PrintStream err) {
        RecipeOptions o
        try {
            o = RecipeOptions.parse(verb, words)
        } catch (RecipeOptions.UsageException e) {
            err.println("cgroovy ${verb}: ${e.message}")
            err.println(RecipeOptions.USAGE)
            return 2
        }
        switch (verb) {
            case 'run': return Recipe.run(Path.of(o.file), o, session, err)
            case 'up': return RecipeEnv.up(Path.of(o.file), o, session, out, err)
            case 'plan': return RecipeEnv.plan(Path.of(o.file), o, session, out, err)
            case 'down': return RecipeEnv.down(Path.of(o.file), o, session, out, err)
            case 'lock': return RecipeEnv.lock(Path.of(o.file), o, session, out, err)
            default: throw new IllegalArgumentException("not a recipe verb: ${verb}")
        }
    }

    /** A shebang call: {@code cgroovy FILE [-p NAME=VALUE]... [ARGS]}, read as {@code cgroovy run FILE ...}. */
    static int runFile(List<String> words, Session session, PrintStream out, PrintStream err) {
        run('run', words, session, out, err)
    }
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** What the command line says about one recipe run: {@code cgroovy VERB [OPTIONS] FILE [ARGS]}. */
@CompileStatic
class RecipeOptions {
    /** run, up, down, plan or lock. */
    String verb = 'run'
    String file
    /** {@code -p name=value}, in the order given. */
    Map<String, String> params = new LinkedHashMap<>()
    /** The recipe's {@code args}. */
    List<String> args = []
    /** {@code --update-lock} ({@code lock --update}): pin every image to its current digest (and rewrite the lock). */
    boolean updateLock
    /** {@code down --volumes}: also remove the recipe's volumes. */
    boolean volumes

    public static final String USAGE = String.join('\n',
            'usage: cgroovy run FILE [-p NAME=VALUE]... [--update-lock] [ARGS]  run a recipe; exits with its status',
            '       cgroovy lock FILE [-p NAME=VALUE]... [--update]              pin its images (base images of builds too) in FILE.lock; runs nothing',
            '       cgroovy up   FILE [-p NAME=VALUE]... [--update-lock]         create what the recipe names and is missing or changed',
            '       cgroovy plan FILE [-p NAME=VALUE]...                         print what up would do; changes nothing',
            '       cgroovy down FILE [--volumes]                                remove what the recipe made',
            '       cgroovy FILE [-p NAME=VALUE]... [ARGS]                       (#!/usr/bin/env cgroovy) the same as run')

    /**
     * Parses the arguments after the verb. Options come before FILE, or right after it
     * ({@code -p}, {@code --update-lock}, {@code --volumes}); the first other word after FILE
     * starts the recipe's args, and so does anything after {@code --}.
     */
    static RecipeOptions parse(String verb, List<String> words) {
        RecipeOptions o = new RecipeOptions(verb: verb)
        int i = 0
        boolean rest = false
        while (i < words.size()) {
            String w = words[i]
            if (rest || (o.file != null && !isOption(w))) {
                o.args << w
                rest = true
            } else if (w == '--') {
                if (o.file == null) {
                    if (i + 1 >= words.size()) throw usage("no recipe FILE given")
                    o.file = words[++i]
                }
                rest = true
            } else if (w == '-p' || w == '--param') {
                if (i + 1 >= words.size()) throw usage("${w} needs NAME=VALUE")
                o.param(words[++i])
            } else if (w.startsWith('--param=')) {
                o.param(w.substring('--param='.length()))
            } else if (w.startsWith('-p') && w.length() > 2) {
                o.param(w.substring(2))
            } else if ((w == '--update-lock' && verb in ['run', 'up', 'plan', 'lock']) || (w == '--update' && verb == 'lock')) {
                o.updateLock = true
            } else if (w == '--volumes' && verb == 'down') {
                o.volumes = true
            } else if (w.startsWith('-') && w != '-' && o.file == null) {
                throw usage("unknown option '${w}'")
            } else if (o.file == null) {
                o.file = w
            } else {
                o.args << w
                rest = true
            }
            i++
        }
        if (o.file == null) throw usage('no recipe FILE given')
        if (o.args && verb != 'run') throw usage("${verb} takes no recipe args (use -p NAME=VALUE): '${o.args[0]}'")
        o
    }

    private static boolean isOption(String w) { w in ['-p', '--param', '--update-lock', '--update', '--volumes', '--'] || w.startsWith('--param=') || (w.startsWith('-p') && w.contains('=')) }

    private void param(String pair) {
        int eq = pair.indexOf('=')
        if (eq <= 0) throw usage("-p '${pair}': use NAME=VALUE")
        params.put(pair.substring(0, eq), pair.substring(eq + 1))
    }

    private static UsageException usage(Object message) { new UsageException(message.toString()) }

    /** A command line that cannot be run (status 2). */
    @CompileStatic
    static class UsageException extends RuntimeException {
        UsageException(String message) { super(message) }
    }
}

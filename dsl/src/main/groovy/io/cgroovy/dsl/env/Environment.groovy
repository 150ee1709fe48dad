package io.cgroovy.dsl.env

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine

import java.time.Duration

/**
 * A declarative recipe's environment: what it wants (filled while the recipe runs in model mode,
 * see {@code Session.model}), what the engine has (read from the labels the engine keeps on each
 * container), and carrying out a {@link Plan}. The recipe's things are labelled with
 * {@link #RECIPE_LABEL} (the recipe's absolute path) and {@link #HASH_LABEL} (their settings hash).
 */
@CompileStatic
final class Environment {
    static final String RECIPE_LABEL = 'io.cgroovy.recipe'
    static final String HASH_LABEL = 'io.cgroovy.recipe.hash'
    /** How long {@code down} or a replacement gives a container to stop before SIGKILL (Docker's 10 s). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10)

    /** A wanted container: its settings (with the recipe's labels) and how it runs detached. */
    @CompileStatic
    static final class Wanted {
        final ContainerSettings settings
        final DetachOptions options
        Wanted(ContainerSettings settings, DetachOptions options) { this.settings = settings; this.options = options }
    }

    /** The recipe's id: its absolute, normalised path. */
    final String recipe
    private final List<Resource> wanted = []

    Environment(String recipe) { this.recipe = recipe }

    List<Resource> getWanted() { wanted.asImmutable() }

    /** Records a wanted thing (the recipe named it). */
    void want(Resource r) { wanted << r }

    /** The labels a wanted thing is created with. */
    Map<String, String> labelsFor(String hash) { [(RECIPE_LABEL): recipe, (HASH_LABEL): hash] }

    /** Every container the engine has, with the recipe and hash its labels say (null for others'). */
    static List<Resource> existing(Engine engine) {
        engine.ps(true).collect { ContainerInfo i ->
            Resource.existing(Resource.Kind.CONTAINER, i.name(), i.labels()[HASH_LABEL], i.labels()[RECIPE_LABEL], i.isRunning())
        }
    }

    /**
     * Carries out {@code plan}, printing a line per change. {@code create}: starts a wanted
     * container (detached, with its labels) — the caller's, so model and engine stay apart.
     */
    static void apply(Plan plan, Engine engine, PrintStream out, Closure<?> create) {
        for (Plan.Action a : plan.actions) {
            Resource r = a.resource
            if (r.kind != Resource.Kind.CONTAINER) throw new IllegalStateException("${r.key}: not supported yet")
            switch (a.op) {
                case Plan.Op.KEEP:
                    break
                case Plan.Op.CREATE:
                    create.call(r)
                    out.println("+ ${r.key}: created")
                    break
                case Plan.Op.REPLACE:
                    remove(engine, r.name)
                    create.call(r)
                    out.println("~ ${r.key}: replaced (${a.why})")
                    break
                case Plan.Op.START:
                    engine.start(r.name)
                    out.println("> ${r.key}: started")
                    break
                case Plan.Op.REMOVE:
                    remove(engine, r.name)
                    out.println("- ${r.key}: removed")
                    break
            }
        }
    }

    private static void remove(Engine engine, String name) {
        ContainerInfo i = engine.inspect(name)
        if (i.isRunning()) engine.stop(name, STOP_TIMEOUT)
        engine.remove(name, true)
    }
}

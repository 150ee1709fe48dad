package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.dsl.env.Environment
import io.cgroovy.dsl.env.Plan
import io.cgroovy.dsl.env.Resource
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine

import java.nio.file.Path

/**
 * {@code cgroovy up|plan|down FILE}: a recipe as the description of named things. The recipe runs
 * in model mode (its {@code container} words record what they want instead of running), the plan
 * compares that with what the engine has, and {@code up} carries it out; {@code plan} only prints
 * it; {@code down} needs no evaluation: it removes what carries the recipe's label.
 */
@CompileStatic
final class RecipeEnv {
    private RecipeEnv() {}

    /** The recipe's id in labels: its absolute, normalised path. */
    static String id(Path file) { file.toAbsolutePath().normalize().toString() }

    static int plan(Path file, RecipeOptions o, Session session, PrintStream out, PrintStream err) {
        upOrPlan(file, o, session, out, err, false)
    }

    static int up(Path file, RecipeOptions o, Session session, PrintStream out, PrintStream err) {
        upOrPlan(file, o, session, out, err, true)
    }

    private static int upOrPlan(Path file, RecipeOptions o, Session session, PrintStream out, PrintStream err, boolean apply) {
        Environment env = new Environment(id(file))
        int status = evaluate(env, file, o, session, err)
        if (status != 0) return status
        try {
            Engine engine = session.engine()
            Plan plan = Plan.up(env.recipe, env.wanted, Environment.existing(engine))
            if (!apply) {
                out.println(plan)
                return 0
            }
            Environment.apply(plan, engine, env.recipe, out) { Resource r ->
                Environment.Wanted w = (Environment.Wanted) r.settings
                engine.runDetached(w.settings, w.options)
            }
            out.println(plan.summary())
            0
        } catch (Exception e) {
            err.println("cgroovy ${o.verb}: ${file}: ${Errors.message(e)}")
            1
        }
    }

    /**
     * {@code cgroovy lock FILE}: evaluates the recipe as plan does (nothing runs, no build, nothing
     * removed) to pin every image it names, base images of its builds included, in FILE.lock;
     * pins already there stay unless {@code --update}. Images the recipe makes itself are not pinned.
     */
    static int lock(Path file, RecipeOptions o, Session session, PrintStream out, PrintStream err) {
        Environment env = new Environment(id(file))
        env.lockOnly = true
        int status = evaluate(env, file, o, session, err)
        if (status != 0) return status
        RecipeLock lock = RecipeLock.forRecipe(file, false)
        out.println("${lock.file}: ${lock.pins.size()} image${lock.pins.size() == 1 ? '' : 's'} pinned")
        lock.pins.each { String ref, String digest -> out.println("  ${ref}  ${digest}") }
        0
    }

    /** Runs the recipe in model mode, recording into {@code env}; the recipe's exit status (0 when it ran through). */
    private static int evaluate(Environment env, Path file, RecipeOptions o, Session session, PrintStream err) {
        session.model = env
        try {
            return Recipe.run(file, o, session, err)
        } finally {
            session.model = null
        }
    }

    static int down(Path file, RecipeOptions o, Session session, PrintStream out, PrintStream err) {
        try {
            Engine engine = session.engine()
            Plan plan = Plan.down(id(file), Environment.existing(engine), o.volumes)
            Environment.apply(plan, engine, id(file), out) { Resource r -> throw new IllegalStateException('down creates nothing') }
            out.println(plan.summary().replace('to remove', 'removed'))
            0
        } catch (Exception e) {
            err.println("cgroovy down: ${file}: ${Errors.message(e)}")
            1
        }
    }
}

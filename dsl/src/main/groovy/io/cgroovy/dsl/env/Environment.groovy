package io.cgroovy.dsl.env

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Engine
import io.cgroovy.runtime.net.NetworkRecord
import io.cgroovy.runtime.net.NetworkSettings

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

    /**
     * {@code cgroovy lock}: the recipe is evaluated only to pin its images; its containers need no
     * name, builds do not run, and nothing it describes is made.
     */
    boolean lockOnly

    Environment(String recipe) { this.recipe = recipe }

    List<Resource> getWanted() { wanted.asImmutable() }

    /** Records a wanted thing (the recipe named it). */
    void want(Resource r) { wanted << r }

    /** The labels a wanted thing is created with. */
    Map<String, String> labelsFor(String hash) { [(RECIPE_LABEL): recipe, (HASH_LABEL): hash] }

    /**
     * Every container, network and volume the engine has, with the recipe and hash that made it
     * (containers: their labels; networks and volumes: the {@link Owned} records), null for others'.
     */
    static List<Resource> existing(Engine engine) {
        List<Resource> out = engine.ps(true).collect { ContainerInfo i ->
            Resource.existing(Resource.Kind.CONTAINER, i.name(), i.labels()[HASH_LABEL], i.labels()[RECIPE_LABEL], i.isRunning())
        }
        Map<String, List<String>> owners = [:]
        for (Owned o : Owned.all(engine.root())) {
            o.things.each { String kind, Map<String, String> names ->
                names.each { String n, String h -> owners[kind + ' ' + n] = [o.recipe, h] }
            }
        }
        for (NetworkRecord n : engine.networks().list()) {
            List<String> o = owners['network ' + n.name]
            out << Resource.existing(Resource.Kind.NETWORK, n.name, o?.get(1), o?.get(0), true)
        }
        for (String v : engine.volumes().list()) {
            List<String> o = owners['volume ' + v]
            out << Resource.existing(Resource.Kind.VOLUME, v, o?.get(1), o?.get(0), true)
        }
        out
    }

    /** The owner (recipe path) of network or volume {@code name} per the records, or null. */
    static String ownerOf(Engine engine, Resource.Kind kind, String name) {
        Owned.all(engine.root()).find { Owned o -> o.things[kind.toString()]?.containsKey(name) }?.recipe
    }

    /**
     * Carries out {@code plan} of recipe {@code recipe}, printing a line per change: first what goes
     * (removed or replaced: containers, then the networks and volumes they were on), then what comes,
     * in plan order (networks and volumes before the containers that use them). {@code createContainer}:
     * starts a wanted container (detached, with its labels) — the caller's, so model and engine stay apart.
     */
    static void apply(Plan plan, Engine engine, String recipe, PrintStream out, Closure<?> createContainer) {
        Owned owned = Owned.of(engine.root(), recipe)
        for (Resource.Kind kind : [Resource.Kind.CONTAINER, Resource.Kind.NETWORK, Resource.Kind.VOLUME]) {
            for (Plan.Action a : plan.actions) {
                if (a.resource.kind != kind || !(a.op in [Plan.Op.REMOVE, Plan.Op.REPLACE])) continue
                remove(engine, a.resource)
                if (kind != Resource.Kind.CONTAINER) {
                    owned.remove(kind, a.resource.name)
                    owned.write(engine.root())
                }
                if (a.op == Plan.Op.REMOVE) out.println("- ${a.resource.key}: removed")
            }
        }
        for (Plan.Action a : plan.actions) {
            Resource r = a.resource
            switch (a.op) {
                case Plan.Op.CREATE:
                case Plan.Op.REPLACE:
                    if (r.kind == Resource.Kind.CONTAINER) {
                        createContainer.call(r)
                    } else {
                        if (r.kind == Resource.Kind.NETWORK) engine.networks().ensure((NetworkSettings) r.settings)
                        else engine.volumes().create(r.name)
                        owned.put(r.kind, r.name, r.hash)
                        owned.write(engine.root())
                    }
                    out.println(a.op == Plan.Op.CREATE ? "+ ${r.key}: created" : "~ ${r.key}: replaced (${a.why})")
                    break
                case Plan.Op.START:
                    engine.start(r.name)
                    out.println("> ${r.key}: started")
                    break
                default:
                    break
            }
        }
    }

    private static void remove(Engine engine, Resource r) {
        switch (r.kind) {
            case Resource.Kind.CONTAINER:
                remove(engine, r.name)
                break
            case Resource.Kind.NETWORK:
                if (engine.networks().list().any { NetworkRecord n -> n.name == r.name }) engine.networks().remove(r.name)
                break
            default:
                if (engine.volumes().exists(r.name)) engine.volumes().remove(r.name)
        }
    }

    private static void remove(Engine engine, String name) {
        ContainerInfo i = engine.inspect(name)
        if (i.isRunning()) engine.stop(name, STOP_TIMEOUT)
        engine.remove(name, true)
    }
}

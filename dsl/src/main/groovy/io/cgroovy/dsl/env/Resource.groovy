package io.cgroovy.dsl.env

import groovy.transform.CompileStatic

/**
 * One named thing a declarative recipe wants ({@code up}) or the engine has: a network, a volume
 * or a container. {@code hash} is the digest of its settings (see {@link SettingsHash}); the engine
 * keeps it in the thing's labels, so the next {@code up} can tell an unchanged thing from a changed one.
 */
@CompileStatic
final class Resource {
    enum Kind { NETWORK, VOLUME, CONTAINER
        String toString() { name().toLowerCase() }
    }

    final Kind kind
    final String name
    final String hash
    /** Wanted: the settings to create it with (ContainerSettings, ...). Existing: null. */
    final Object settings
    /** Existing: the recipe that made it (its label), or null when none did. */
    final String recipe
    /** Existing container: it is running. */
    final boolean running

    private Resource(Kind kind, String name, String hash, Object settings, String recipe, boolean running) {
        this.kind = kind; this.name = name; this.hash = hash; this.settings = settings; this.recipe = recipe; this.running = running
    }

    /** What the recipe wants. */
    static Resource wanted(Kind kind, String name, Object settings) {
        new Resource(kind, name, SettingsHash.of(settings), settings, null, false)
    }

    /** What the recipe wants, with its settings hash computed already (e.g. before labels were added). */
    static Resource wanted(Kind kind, String name, Object settings, String hash) {
        new Resource(kind, name, hash, settings, null, false)
    }

    /** What the engine has: its labels say which recipe made it and with which settings hash. */
    static Resource existing(Kind kind, String name, String hash, String recipe, boolean running) {
        new Resource(kind, name, hash, null, recipe, running)
    }

    String getKey() { "${kind} ${name}" }

    @Override String toString() { key }
}

package io.cgroovy.dsl.env

import groovy.transform.CompileStatic

/**
 * What {@code up} (or {@code down}) will do, computed from what the recipe wants and what the
 * engine has, and nothing else: pure data, so {@code plan} can print it and specs can check it
 * without an engine. Order: networks and volumes before the containers that use them; removals
 * of containers before the networks they were on.
 */
@CompileStatic
final class Plan {
    enum Op {
        CREATE('+', 'create'), KEEP('=', 'unchanged'), START('>', 'start'), REPLACE('~', 'replace'), REMOVE('-', 'remove')
        final String sign
        final String word
        Op(String sign, String word) { this.sign = sign; this.word = word }
    }

    @CompileStatic
    static final class Action {
        final Op op
        final Resource resource
        final String why
        Action(Op op, Resource resource, String why) { this.op = op; this.resource = resource; this.why = why }
        @Override String toString() { "${op.sign} ${resource.kind} ${resource.name}" + (why ? " (${why})" : '') }
    }

    final List<Action> actions

    private Plan(List<Action> actions) { this.actions = actions.asImmutable() }

    /**
     * The plan of {@code up}: {@code wanted} in recipe order, {@code existing} what the engine has
     * (with the labels of the recipe {@code recipe}). A wanted name taken by something this recipe
     * did not make is an error, not a takeover.
     */
    static Plan up(String recipe, List<Resource> wanted, List<Resource> existing) {
        Map<String, Resource> have = existing.collectEntries { Resource r -> [(r.key): r] }
        Set<String> seen = new HashSet<>()
        List<Action> adds = [], removes = []
        List<Resource> ordered = wanted.findAll { it.kind != Resource.Kind.CONTAINER } + wanted.findAll { it.kind == Resource.Kind.CONTAINER }
        for (Resource w : ordered) {
            if (!seen.add(w.key)) throw new IllegalArgumentException("the recipe names ${w.key} twice")
            Resource h = have[w.key]
            if (h == null) {
                adds << new Action(Op.CREATE, w, null)
            } else if (h.recipe != recipe) {
                throw new IllegalArgumentException("${w.key} exists and was not made by this recipe" +
                        (h.recipe ? " (but by ${h.recipe})" : '') + '; remove it or rename it in the recipe')
            } else if (h.hash != w.hash) {
                adds << new Action(Op.REPLACE, w, 'settings changed')
            } else if (w.kind == Resource.Kind.CONTAINER && !h.running) {
                adds << new Action(Op.START, w, 'not running')
            } else {
                adds << new Action(Op.KEEP, w, null)
            }
        }
        // things this recipe made that it no longer names go (containers first)
        List<Resource> orphans = existing.findAll { Resource h -> h.recipe == recipe && !seen.contains(h.key) && h.kind != Resource.Kind.VOLUME }
        orphans.sort { Resource r -> r.kind == Resource.Kind.CONTAINER ? 0 : 1 }.each { removes << new Action(Op.REMOVE, it, 'no longer in the recipe') }
        new Plan(removes.findAll { it.resource.kind == Resource.Kind.CONTAINER } + adds + removes.findAll { it.resource.kind != Resource.Kind.CONTAINER })
    }

    /** The plan of {@code down}: everything this recipe made, containers first; volumes only when asked. */
    static Plan down(String recipe, List<Resource> existing, boolean volumes) {
        List<Resource> mine = existing.findAll { Resource h -> h.recipe == recipe && (volumes || h.kind != Resource.Kind.VOLUME) }
        List<Resource.Kind> order = [Resource.Kind.CONTAINER, Resource.Kind.NETWORK, Resource.Kind.VOLUME]
        new Plan(mine.sort(false) { Resource a, Resource b -> order.indexOf(a.kind) <=> order.indexOf(b.kind) ?: a.name <=> b.name }
                .collect { new Action(Op.REMOVE, it, null) })
    }

    /** True when carrying it out would change nothing. */
    boolean isEmpty() { actions.every { it.op == Op.KEEP } }

    /** "2 to create, 1 to replace, 3 unchanged" (only the counts that are not 0). */
    String summary() {
        List<String> parts = []
        [(Op.CREATE): 'to create', (Op.START): 'to start', (Op.REPLACE): 'to replace', (Op.REMOVE): 'to remove', (Op.KEEP): 'unchanged'].each { Op op, String say ->
            int n = actions.count { it.op == op } as int
            if (n) parts << "${n} ${say}".toString()
        }
        parts ? parts.join(', ') : 'nothing to do'
    }

    @Override String toString() { (actions.collect { it.toString() } + [summary()]).join('\n') }
}

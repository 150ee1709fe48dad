package io.cgroovy.dsl

import groovy.transform.CompileStatic

import java.lang.reflect.Field
import java.lang.reflect.Method

/**
 * The one catalogue of DSL words, read from the {@link Word} annotations of the classes in
 * {@link #OWNERS}. The shell's {@code :help} and completion and every "did you mean" use it, so
 * adding a word is: write the method, annotate it with {@link Word}; adding a new closure or
 * handle type: annotate the class with {@link WordScope} and list it in {@link #OWNERS}.
 */
@CompileStatic
final class Words {
    /** Classes whose {@link Word}s make up the DSL, in the order help lists their scopes. */
    static final List<Class<?>> OWNERS = [
            CgroovyScript, ContainerSpec, ImageSpec, NetworkDefinition,
            Container, Image, Network,
    ].asImmutable() as List<Class<?>>

    /** One documented word. {@code scope}: where it is written ({@link WordScope}). */
    @CompileStatic
    static final class Entry {
        final String name
        final String scope
        final String usage
        final String doc
        final String example

        Entry(String name, String scope, String usage, String doc, String example) {
            this.name = name; this.scope = scope; this.usage = usage; this.doc = doc; this.example = example
        }

        @Override String toString() { "${scope}: ${usage} — ${doc}" }
    }

    private static volatile List<Entry> cache

    private Words() {}

    /** Every word, by scope (in {@link #OWNERS} order) then name. */
    static List<Entry> all() {
        List<Entry> c = cache
        if (c == null) cache = c = read()
        c
    }

    /** The scopes, in order: 'top', 'container', ... */
    static List<String> scopes() { OWNERS.collect { Class<?> o -> scopeOf(o) }.unique() }

    /** The words written in {@code scope}, sorted. */
    static List<String> names(String scope) { all().findAll { Entry e -> e.scope == scope }*.name.unique().sort() }

    /** The entries named {@code name}, in any scope (a word like 'name' can be in several). */
    static List<Entry> find(String name) { all().findAll { Entry e -> e.name == name } }

    /** The entry {@code name} in {@code scope}, or null. */
    static Entry find(String scope, String name) { all().find { Entry e -> e.scope == scope && e.name == name } }

    /** " — did you mean 'x'?" for a word of {@code scope} misspelt as {@code word}, or "". */
    static String didYouMean(String word, String scope) { Suggest.didYouMean(word, names(scope)) }

    /** Help for one word: usage, doc and example of each scope it is in; a did-you-mean line when none. */
    static String help(String name) {
        List<Entry> es = find(name)
        if (es.isEmpty()) {
            String hint = Suggest.didYouMean(name, all()*.name.unique())
            return "no word '${name}'${hint}".toString()
        }
        es.collect { Entry e ->
            "${e.usage}    (${e.scope == 'top' ? 'top level' : e.scope})\n    ${e.doc}" + (e.example ? "\n    e.g. ${e.example}" : '')
        }.join('\n')
    }

    /** Help for every word: a section per scope, one line per word. */
    static String help() {
        scopes().collect { String scope ->
            List<Entry> es = all().findAll { Entry e -> e.scope == scope }
            int w = es.collect { Entry e -> e.usage.length() }.max() ?: 0
            "${scope == 'top' ? 'top level' : scope}:\n" + es.collect { Entry e -> "  ${e.usage.padRight(w)}  ${e.doc}" }.join('\n')
        }.join('\n')
    }

    static String scopeOf(Class<?> owner) {
        WordScope s = owner.getAnnotation(WordScope)
        if (s == null) throw new IllegalStateException("${owner.name} is in Words.OWNERS but has no @WordScope")
        s.value()
    }

    private static List<Entry> read() {
        List<Entry> out = []
        for (Class<?> owner : OWNERS) {
            String scope = scopeOf(owner)
            Map<String, Entry> byName = new TreeMap<>()
            List<Method> methods = owner.methods.findAll { Method m -> m.getAnnotation(Word) != null }
                    .sort { Method a, Method b -> a.parameterCount <=> b.parameterCount ?: a.toString() <=> b.toString() }
            for (Method m : methods) add(byName, scope, propertyName(m), m.getAnnotation(Word))
            for (Class<?> c = owner; c != null && c != Object; c = c.superclass) {
                for (Field f : c.declaredFields) {
                    Word w = f.getAnnotation(Word)
                    if (w != null) add(byName, scope, f.name, w)
                }
            }
            out.addAll(byName.values())
        }
        out.asImmutable()
    }

    private static void add(Map<String, Entry> byName, String scope, String javaName, Word w) {
        String name = w.name() ?: javaName
        if (byName.containsKey(name)) return   // an overload: the first documented one speaks for all
        byName.put(name, new Entry(name, scope, w.usage() ?: name, w.value(), w.example()))
    }

    /** {@code getExitCode} is the property {@code exitCode}; other methods keep their name. */
    private static String propertyName(Method m) {
        String n = m.name
        if (m.parameterCount == 0 && n.length() > 3 && n.startsWith('get') && Character.isUpperCase(n.charAt(3))) {
            return Character.toLowerCase(n.charAt(3)).toString() + n.substring(4)
        }
        n
    }
}

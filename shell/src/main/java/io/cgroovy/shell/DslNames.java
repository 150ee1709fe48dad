package io.cgroovy.shell;

import groovy.lang.Binding;
import io.cgroovy.dsl.CgroovyScript;
import io.cgroovy.dsl.Container;
import io.cgroovy.dsl.Session;
import io.cgroovy.dsl.Words;
import org.codehaus.groovy.runtime.InvokerHelper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Completion sources over the DSL: the same words the user types ({@code images()}, {@code ps()},
 * {@code networks()}, {@code volumes()}), called on a script bound to the session's variables,
 * plus the container handles held in variables. A word the DSL does not have (yet) offers nothing.
 */
final class DslNames {
    private final Binding binding;
    private final CgroovyScript words;

    DslNames(Binding binding) {
        this.binding = binding;
        this.words = new CgroovyScript(binding) {
            @Override
            public Object run() { return null; }
        };
    }

    /** Image references (repository:tag) and short ids. */
    List<NameSource.Name> images() {
        List<NameSource.Name> out = new ArrayList<>();
        for (Object image : list("images")) {
            String id = str(prop(image, "shortId"));
            Object tags = prop(image, "tags");
            if (tags instanceof Iterable<?> it) for (Object t : it) out.add(new NameSource.Name(String.valueOf(t), id));
            if (id != null) out.add(new NameSource.Name(id, "image"));
        }
        return out;
    }

    /** Container names and short ids: those the engine lists ({@code ps}), and handles held in variables. */
    List<NameSource.Name> containers() {
        Map<String, NameSource.Name> out = new LinkedHashMap<>();
        List<Object> handles = new ArrayList<>(list("ps", Map.of("all", true)));
        for (Object v : binding.getVariables().values()) if (v instanceof Container) handles.add(v);
        for (Object c : handles) {
            String name = str(prop(c, "name"));
            String id = str(prop(c, "shortId"));
            if (id == null) id = shortId(str(prop(c, "id")));
            String image = str(prop(c, "image"));
            if (name != null) out.putIfAbsent(name, new NameSource.Name(name, id == null ? image : id + " " + image));
            if (id != null) out.putIfAbsent(id, new NameSource.Name(id, name));
        }
        return new ArrayList<>(out.values());
    }

    /** Names of what {@code word()} lists (networks, volumes). */
    List<NameSource.Name> named(String word) {
        List<NameSource.Name> out = new ArrayList<>();
        for (Object o : list(word)) {
            String name = o instanceof CharSequence ? o.toString() : str(prop(o, "name"));
            if (name != null) out.add(new NameSource.Name(name, null));
        }
        return out;
    }

    /** The DSL words with their usage, then the variables. */
    List<NameSource.Name> wordsAndVariables() {
        List<NameSource.Name> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String scope : List.of("top", "container")) {
            for (Words.Entry e : Words.all()) {
                if (e.getScope().equals(scope) && seen.add(e.getName())) out.add(new NameSource.Name(e.getName(), e.getUsage()));
            }
        }
        for (Object k : binding.getVariables().keySet()) {
            String n = String.valueOf(k);
            if (!n.equals(Session.VARIABLE) && !n.equals("out")) out.add(new NameSource.Name(n, "variable"));
        }
        return out;
    }

    /** What {@code word(args)} returns as a list; empty when the word is missing or fails. */
    private List<Object> list(String word, Object... args) {
        Object result;
        try {
            result = InvokerHelper.invokeMethod(words, word, args.length == 0 ? null : args);
        } catch (RuntimeException e) {
            if (args.length == 0) return List.of();
            return list(word);                    // the word may not take these options
        }
        List<Object> out = new ArrayList<>();
        if (result instanceof Iterable<?> it) for (Object o : it) out.add(o);
        return out;
    }

    private static String shortId(String id) {
        return id == null || id.length() <= 12 ? id : id.substring(0, 12);
    }

    private static Object prop(Object o, String name) {
        try {
            return InvokerHelper.getProperty(o, name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}

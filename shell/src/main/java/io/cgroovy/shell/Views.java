package io.cgroovy.shell;

import java.lang.reflect.Method;

/**
 * Values that are screens of text ({@code c.explain()}, {@code c.cgroup}, {@code imageTree()}, ...): a DSL value with
 * a public {@code String render(int width)} prints as that text, as it is, instead of {@code ==> [map...]}.
 */
final class Views {
    private Views() {}

    /** The text of {@code value} cut to {@code width}, or null when it is not a view. */
    static String render(Object value, int width) {
        try {
            Method m = value.getClass().getMethod("render", int.class);
            if (m.getReturnType() != String.class) return null;
            return (String) m.invoke(value, width);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}

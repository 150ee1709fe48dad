package io.cgroovy.shell;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Which values print as tables: a DSL list that has a public static {@code HEADERS} (the column
 * names) and a public {@code rows()} (one list of cell strings per row), as {@code ImageList}
 * has. Lists the DSL adds later ({@code ps()}, {@code networks()}, ...) print the same way.
 */
final class Tables {
    private Tables() {}

    /** The table for {@code value} fitted to {@code width}, or null when it is not a table. */
    static String render(Object value, int width, boolean colour) {
        List<String> headers = headers(value);
        if (headers == null) return null;
        List<List<String>> rows = rows(value);
        if (rows == null) return null;
        return Table.render(headers, rows, width, colour);
    }

    private static List<String> headers(Object value) {
        try {
            Field f = value.getClass().getField("HEADERS");
            if (!Modifier.isStatic(f.getModifiers()) || !(f.get(null) instanceof List<?> list)) return null;
            List<String> out = new ArrayList<>();
            for (Object o : list) out.add(String.valueOf(o));
            return out;
        } catch (NoSuchFieldException | IllegalAccessException e) {
            return null;
        }
    }

    private static List<List<String>> rows(Object value) {
        try {
            Method m = value.getClass().getMethod("rows");
            if (!(m.invoke(value) instanceof List<?> list)) return null;
            List<List<String>> out = new ArrayList<>();
            for (Object r : list) {
                if (!(r instanceof List<?> cells)) return null;
                List<String> row = new ArrayList<>();
                for (Object c : cells) row.add(c == null ? "" : String.valueOf(c));
                out.add(row);
            }
            return out;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}

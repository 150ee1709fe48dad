package io.cgroovy.shell;

import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.util.List;

/**
 * Renders rows under headers as Docker does (columns three spaces apart), fitted to the terminal
 * width: when the natural width is too wide the widest columns are cut (ending in '…') until
 * the table fits or each column is down to its header's width.
 */
final class Table {
    static final int GAP = 3;
    static final int MIN_COLUMN = 4;

    private Table() {}

    /** The table as lines (no trailing newline); {@code width} <= 0 means no limit; bold headers when {@code colour}. */
    static String render(List<String> headers, List<List<String>> rows, int width, boolean colour) {
        int columns = headers.size();
        int[] w = new int[columns];
        for (int i = 0; i < columns; i++) w[i] = headers.get(i).length();
        for (List<String> r : rows) {
            for (int i = 0; i < columns && i < r.size(); i++) w[i] = Math.max(w[i], cell(r, i).length());
        }
        if (width > 0) fit(w, headers, width);
        StringBuilder out = new StringBuilder();
        out.append(line(headers, w, colour ? AttributedStyle.BOLD : null));
        for (List<String> r : rows) out.append('\n').append(line(r, w, null));
        return out.toString();
    }

    /** Narrows the widest columns until the total fits {@code width} (never below a column's header or MIN_COLUMN). */
    static void fit(int[] w, List<String> headers, int width) {
        while (total(w) > width) {
            int widest = -1;
            for (int i = 0; i < w.length; i++) {
                int floor = Math.max(MIN_COLUMN, headers.get(i).length());
                if (w[i] > floor && (widest < 0 || w[i] > w[widest])) widest = i;
            }
            if (widest < 0) return;               // everything is at its floor: let the terminal wrap
            w[widest]--;
        }
    }

    static int total(int[] w) {
        int t = 0;
        for (int x : w) t += x;
        return t + GAP * (w.length - 1);
    }

    private static String cell(List<String> row, int i) {
        String c = i < row.size() ? row.get(i) : "";
        return c == null ? "" : c;
    }

    private static String line(List<String> row, int[] w, AttributedStyle style) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = cut(cell(row, i), w[i]);
            b.append(c);
            if (i < w.length - 1) b.append(" ".repeat(w[i] - c.length() + GAP));
        }
        String s = b.toString().stripTrailing();
        if (style == null) return s;
        return new AttributedStringBuilder().styled(style, s).toAnsi();
    }

    /** {@code s} cut to {@code width} characters, the last one '…' when something was cut. */
    static String cut(String s, int width) {
        if (s.length() <= width) return s;
        if (width <= 1) return s.substring(0, width);
        return s.substring(0, width - 1) + "…";
    }
}

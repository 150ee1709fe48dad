package io.cgroovy.shell;

import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;

/**
 * A table that refreshes itself ({@code stats(c)}): a DSL value with {@code isLive()} true and a
 * {@code refresh()} returning the next one. Redrawn in place every second until a key is pressed
 * (or the container ends); the last frame stays on the screen.
 */
final class LiveTable {
    static final long INTERVAL_MILLIS = 1000;

    private LiveTable() {}

    /** True when {@code value} wants to be refreshed. */
    static boolean isLive(Object value) {
        if (value == null) return false;
        try {
            Method live = value.getClass().getMethod("isLive");
            value.getClass().getMethod("refresh");
            return Boolean.TRUE.equals(live.invoke(value));
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Shows {@code value} and its refreshes until a key is pressed (the key is not passed on). */
    static void show(Terminal terminal, Object value, Shell.Display display) {
        PrintWriter w = terminal.writer();
        Attributes saved = terminal.enterRawMode();
        int drawn = 0;
        Object current = value;
        try {
            while (true) {
                String table = Tables.render(current, display.width().get(), display.colour());
                if (table == null) break;
                StringBuilder frame = new StringBuilder();
                if (drawn > 0) frame.append("\u001B[").append(drawn).append('F');
                String[] lines = (table + "\n(any key stops)").split("\n");
                for (String line : lines) frame.append("\u001B[2K").append(line).append("\r\n");
                w.print(frame);
                w.flush();
                drawn = lines.length;
                int c = terminal.reader().read(INTERVAL_MILLIS);
                if (c != NonBlockingReader.READ_EXPIRED) break;
                try {
                    current = current.getClass().getMethod("refresh").invoke(current);
                } catch (ReflectiveOperationException e) {
                    break;                           // the container ended: keep the last frame
                }
            }
        } catch (IOException e) {
            // the terminal went away: nothing more to draw
        } finally {
            terminal.setAttributes(saved);
            w.flush();
        }
    }
}

package io.cgroovy.shell;

import io.cgroovy.dsl.Interpreter;
import io.cgroovy.dsl.Session;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code cgroovy --cds-training}: what an interactive session loads, done once without a terminal
 * or an engine, so the launcher can archive those classes ({@code -XX:ArchiveClassesAtExit}) and
 * later starts map them instead of parsing them again.
 */
final class Training {
    private Training() {}

    static int run() throws Exception {
        Path tmp = Files.createTempDirectory("cgroovy-training");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        String typed = "x = [1, 2].collect { it * 2 }\rima\t\r:help memory\r";
        try (Terminal terminal = TerminalBuilder.builder().system(false).type("xterm-256color")
                .streams(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)), screen).build();
             Session session = Session.at(tmp.resolve("root"))) {
            PrintWriter w = terminal.writer();
            Interpreter interpreter = new Interpreter(session, w);
            Completion completion = new Completion(() -> new DslNames(interpreter.getBinding()).wordsAndVariables(),
                    v -> interpreter.getBinding().getVariables().get(v));
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).parser(new ShellParser())
                    .completer(completion).highlighter(new Highlighting(() -> java.util.Set.of("container"), true))
                    .variable(LineReader.INDENTATION, 4).build();
            SessionRecord record = new SessionRecord();
            for (int i = 0; i < 3; i++) {
                String line;
                try {
                    line = reader.readLine(Shell.PROMPT);
                } catch (org.jline.reader.EndOfFileException e) {
                    break;                          // the typed input is used up
                }
                if (Commands.isCommand(line)) {
                    Commands.run(line, w, w, record, interpreter.getBinding().getVariables(), code -> true);
                    continue;
                }
                try {
                    Shell.printValue(w, interpreter.eval(line), new Shell.Display(() -> 80, true, false));
                } catch (Exception e) {
                    Shell.printError(w, e, true);
                }
            }
            for (String bad : List.of("container('busybox') { memroy '1g' }", "nope()", "def f(n) { n + 1 }; f(1)")) {
                try {
                    interpreter.eval(bad);
                } catch (Exception e) {
                    Shell.printError(w, e, true);
                }
            }
            Commands.help();
            Table.render(List.of("A", "B"), List.of(List.of("1", "2")), 80, true);
            CompletionContext.at("container('bu", 13);
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // the terminal provider a real terminal uses (loaded, not opened)
        for (String c : List.of("org.jline.terminal.impl.jni.JniTerminalProvider", "org.jline.terminal.impl.jni.JniNativePty",
                "org.jline.terminal.impl.jni.linux.LinuxNativePty", "org.jline.terminal.impl.exec.ExecTerminalProvider",
                "org.jline.terminal.impl.PosixSysTerminal", "org.jline.terminal.impl.NativeSignalHandler")) {
            try {
                Class.forName(c, false, Training.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // another JLine version: nothing to archive for it
            }
        }
        return 0;
    }
}

package io.cgroovy.shell;

import io.cgroovy.dsl.Errors;
import io.cgroovy.dsl.ExitRequest;
import io.cgroovy.dsl.Interpreter;
import io.cgroovy.dsl.Session;
import io.cgroovy.dsl.Words;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The prompt: reads snippets (a line, or several while a bracket is open), evaluates each with
 * one {@link Interpreter} so variables persist, prints {@code ==> value}, a table, or
 * {@code error: ...}. Owns the terminal only; everything a snippet does is the DSL's.
 */
public final class Shell {
    static final String PROMPT = "cgroovy> ";

    private final Supplier<Session> session;
    private final SessionRecord record = new SessionRecord();
    private volatile Thread evalThread;

    public Shell(Session session) {
        this.session = () -> session;
    }

    /** A shell whose session is made (by {@code session}) only after the prompt shows. */
    public Shell(Supplier<Session> session) {
        this.session = session;
    }

    /** The multi-line rule: an unclosed {, ( or [ (outside strings and comments) continues the snippet. */
    static DefaultParser parser() {
        DefaultParser p = new DefaultParser();
        p.setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE);
        p.setLineCommentDelims(new String[] {"//"});
        p.setBlockCommentDelims(new DefaultParser.BlockCommentDelims("/*", "*/"));
        return p;
    }

    /** True when {@code snippet} is whole (no bracket left open). */
    static boolean complete(DefaultParser parser, String snippet) {
        try {
            parser.parse(snippet, snippet.length(), Parser.ParseContext.ACCEPT_LINE);
            return true;
        } catch (EOFError e) {
            return false;
        }
    }

    /** What one snippet did: go on, or leave with a status. */
    private record Outcome(boolean leave, int status, boolean ok, Object live) {
        static final Outcome OK = new Outcome(false, 0, true, null);
        static final Outcome FAILED = new Outcome(false, 0, false, null);
    }

    /**
     * Reads plain lines (no prompt, no escape codes) until end of input; containers get no stdin.
     * The status: an explicit {@code exit N}, else the last foreground container's exit code, else 0.
     */
    public int runPiped(InputStream input, PrintStream out, PrintStream err) {
        Session s = session.get();
        s.detachStdin(out, err);
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        try (Interpreter interpreter = new Interpreter(s, outWriter)) {
            DefaultParser parser = parser();
            BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
            StringBuilder snippet = new StringBuilder();
            String line;
            while (true) {
                try {
                    line = in.readLine();
                } catch (IOException e) {
                    errWriter.println("error: reading input: " + e.getMessage());
                    return 1;
                }
                if (line == null) break;
                if (snippet.length() == 0 && Commands.isCommand(line.trim())) {
                    Commands.Result r = Commands.run(line, outWriter, errWriter, record, interpreter.getBinding().getVariables(),
                            code -> evaluate(interpreter, code, outWriter, errWriter, Display.PLAIN).ok());
                    if (r == Commands.Result.LEAVE) return interpreter.exitStatus();
                    continue;
                }
                if (snippet.length() > 0) snippet.append('\n');
                snippet.append(line);
                if (!complete(parser, snippet.toString())) continue;
                Map<String, Object> before = SessionRecord.snapshot(interpreter.getBinding().getVariables());
                Outcome o = evaluate(interpreter, snippet.toString(), outWriter, errWriter, Display.PLAIN);
                if (o.ok() && !o.leave()) record.succeeded(snippet.toString(), before, interpreter.getBinding().getVariables());
                snippet.setLength(0);
                if (o.leave()) return o.status();
            }
            if (!snippet.toString().isBlank()) {   // input ended inside a bracket: let Groovy say what is wrong
                Outcome o = evaluate(interpreter, snippet.toString(), outWriter, errWriter, Display.PLAIN);
                if (o.leave()) return o.status();
            }
            return interpreter.exitStatus();
        }
    }

    /** How values and errors are shown: terminal width for tables (0: no limit), colours. */
    record Display(Supplier<Integer> width, boolean colour, boolean liveTables) {
        static final Display PLAIN = new Display(() -> 0, false, false);
    }

    /** Colours only on a terminal that has them, and never when NO_COLOR is set (https://no-color.org). */
    static boolean colours(Terminal terminal) {
        String noColor = System.getenv("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return false;
        if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) return false;
        Integer colors = terminal.getNumericCapability(InfoCmp.Capability.max_colors);
        return colors != null && colors >= 8;
    }

    /**
     * The interactive prompt on the system terminal. The prompt shows before Groovy and the engine
     * are loaded (they load behind it). Ctrl-C cancels the line being typed, or interrupts the
     * snippet being evaluated (which stops a foreground container); Ctrl-D leaves.
     */
    public int runInteractive(Path history) {
        Terminal terminal;
        try {
            // JNI (bundled in JLine) or exec; loading JNA's native library would cost a third of a second
            terminal = TerminalBuilder.builder().system(true).nativeSignals(true)
                    .ffm(false).jna(false).jansi(false).build();
        } catch (IOException e) {
            System.err.println("cgroovy: cannot open the terminal: " + e.getMessage());
            return 1;
        }
        boolean colour = colours(terminal);
        Display display = new Display(() -> terminal.getWidth() > 0 ? terminal.getWidth() : 80, colour, true);
        PrintWriter w = terminal.writer();
        CompletableFuture<Interpreter> ready = new CompletableFuture<>();
        AtomicReference<Set<String>> highlightWords = new AtomicReference<>(Set.of());
        Completion completion = new Completion(
                () -> ready.isDone() ? names(ready.join()).wordsAndVariables() : List.of(),
                v -> ready.isDone() ? ready.join().getBinding().getVariables().get(v) : null);
        LineReader reader = LineReaderBuilder.builder()
                .appName("cgroovy")
                .terminal(terminal)
                .parser(new ShellParser())
                .completer(completion)
                .highlighter(new Highlighting(highlightWords::get, colour))
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.HISTORY_SIZE, 10_000)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P.> ")
                .variable(LineReader.INDENTATION, 4)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_TAB, false)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .build();
        dedentOnlyAtLineStart(reader);
        Thread loader = new Thread(() -> {
            try {
                Session s = session.get();
                s.setProgressView(new ProgressDisplay(w));   // pulls draw per-layer bars on this terminal
                s.setTerminal(new TerminalAttach(terminal)); // tty() and attach use this terminal and its keyboard
                Interpreter i = new Interpreter(s, w);
                i.eval("null");                      // compiles once: the first real line does not pay for it
                Set<String> words = new java.util.HashSet<>(Words.names("top"));
                words.addAll(Words.names("container"));
                highlightWords.set(Set.copyOf(words));
                wireSources(completion, names(i));
                ready.complete(i);
            } catch (Throwable t) {
                ready.completeExceptionally(t);
            }
        }, "cgroovy-load");
        loader.setDaemon(true);
        loader.setPriority(Thread.MIN_PRIORITY);
        loader.start();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cgroovy-eval");
            t.setDaemon(true);
            return t;
        });
        try {
            // Outside readLine (which installs its own handler) Ctrl-C interrupts the snippet, never the JVM.
            terminal.handle(Terminal.Signal.INT, signal -> {
                Thread t = evalThread;
                if (t == null) return;
                if (ready.isDone() && !ready.isCompletedExceptionally()) ready.join().interrupt(t);
                else t.interrupt();
            });
            w.println("cgroovy — Groovy with containers. :help for the words, Tab completes, Ctrl-D leaves.");
            w.flush();
            while (true) {
                String snippet;
                try {
                    snippet = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue;                              // Ctrl-C: drop the line
                } catch (EndOfFileException e) {
                    return ready.isDone() ? interpreter(ready).exitStatus() : 0;   // Ctrl-D
                }
                String command = snippet.trim();
                if (command.isEmpty()) continue;
                if (command.equals("/help") || command.equals("help")) command = ":help";
                if (command.equals("/exit")) command = ":exit";
                Interpreter interpreter = interpreter(ready);
                if (Commands.isCommand(command)) {
                    String line = command;
                    Commands.Result r = Commands.run(line, w, w, record, interpreter.getBinding().getVariables(),
                            code -> evaluateOnWorker(worker, terminal, interpreter, code, w, display, false).ok());
                    if (r == Commands.Result.LEAVE) return interpreter.exitStatus();
                    continue;
                }
                Outcome o = evaluateOnWorker(worker, terminal, interpreter, snippet, w, display, true);
                if (o.leave()) return o.status();
                if (o.live() != null) LiveTable.show(terminal, o.live(), display);
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                System.err.println("cgroovy: cannot save history to " + history + ": " + e.getMessage());
            }
            worker.shutdownNow();
            if (ready.isDone() && !ready.isCompletedExceptionally()) ready.join().close();
            try {
                terminal.close();
            } catch (IOException ignored) {
                // leaving anyway
            }
        }
    }

    /**
     * A closing bracket typed first on a continuation line moves back one indentation step (JLine's
     * widget); typed after other text it is just inserted (JLine would eat the spaces before it).
     */
    private static void dedentOnlyAtLineStart(LineReader reader) {
        for (String name : List.of(LineReader.INSERT_CLOSE_CURLY, LineReader.INSERT_CLOSE_PAREN, LineReader.INSERT_CLOSE_SQUARE)) {
            org.jline.reader.Widget dedent = reader.getWidgets().get(name);
            if (dedent == null) continue;
            reader.getWidgets().put(name, () -> {
                String before = reader.getBuffer().upToCursor();
                String line = before.substring(before.lastIndexOf('\n') + 1);
                if (line.isBlank()) return dedent.apply();
                return reader.getBuiltinWidgets().get(LineReader.SELF_INSERT).apply();
            });
        }
    }

    /** The interpreter, waiting for it if the first line came before it finished loading. */
    private static Interpreter interpreter(CompletableFuture<Interpreter> ready) {
        while (true) {
            try {
                return ready.get();
            } catch (InterruptedException e) {
                // nobody interrupts the main thread; keep waiting
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot start the Groovy interpreter: " + e.getCause(), e.getCause());
            }
        }
    }

    private DslNames names;

    private synchronized DslNames names(Interpreter i) {
        if (names == null) names = new DslNames(i.getBinding());
        return names;
    }

    /** Completion of each kind of name comes from the DSL's lists. */
    private static void wireSources(Completion completion, DslNames names) {
        completion.source(CompletionContext.Kind.IMAGE, names::images)
                .source(CompletionContext.Kind.CONTAINER, names::containers)
                .source(CompletionContext.Kind.NETWORK, () -> names.named("networks"))
                .source(CompletionContext.Kind.VOLUME, () -> names.named("volumes"));
    }

    private Outcome evaluateOnWorker(ExecutorService worker, Terminal terminal, Interpreter interpreter,
                                     String snippet, PrintWriter w, Display display, boolean recordIt) {
        terminal.pause();   // the terminal's input goes to a foreground container, not to JLine
        Future<Outcome> f = worker.submit(() -> {
            evalThread = Thread.currentThread();
            try {
                Map<String, Object> before = SessionRecord.snapshot(interpreter.getBinding().getVariables());
                Outcome o = evaluate(interpreter, snippet, w, w, display);
                if (o.ok() && !o.leave() && recordIt) record.succeeded(snippet, before, interpreter.getBinding().getVariables());
                return o;
            } finally {
                evalThread = null;
                Thread.interrupted();   // an interrupt that came late must not hit the next snippet
            }
        });
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    // nobody interrupts the main thread; keep waiting for the snippet
                } catch (ExecutionException e) {
                    printError(w, e.getCause(), display.colour());
                    return Outcome.FAILED;
                }
            }
        } finally {
            terminal.resume();
        }
    }

    /** Evaluates one snippet and prints its value or its error. */
    private static Outcome evaluate(Interpreter interpreter, String snippet, PrintWriter out, PrintWriter err, Display display) {
        try {
            Object value = interpreter.eval(snippet);
            if (display.liveTables() && LiveTable.isLive(value)) return new Outcome(false, 0, true, value);   // drawn by the prompt's thread
            printValue(out, value, display);
            return Outcome.OK;
        } catch (ExitRequest exit) {
            return new Outcome(true, exit.getStatus(), true, null);
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError || e instanceof OutOfMemoryError)) throw e;
            printError(err, e, display.colour());
            return Outcome.FAILED;
        } catch (Throwable t) {
            printError(err, t, display.colour());
            return Outcome.FAILED;
        } finally {
            out.flush();
        }
    }

    static void printValue(PrintWriter out, Object value, Display display) {
        if (value == null) return;
        String table = Tables.render(value, display.width().get(), display.colour());
        String view = table == null ? Views.render(value, display.width().get()) : null;
        if (table != null) {
            out.println(table);
        } else if (view != null) {
            out.println(view);
        } else if (value instanceof groovy.lang.Closure) {
            out.println("==> closure");   // not Script3$_run_closure1@6a969fb8
        } else {
            out.println("==> " + InvokerHelper.toString(value));
        }
    }

    /** CGROOVY_DEBUG=1: errors come with their stack trace (for reporting bugs). */
    static final boolean DEBUG = System.getenv("CGROOVY_DEBUG") != null && !System.getenv("CGROOVY_DEBUG").isEmpty();

    static void printError(PrintWriter err, Throwable t, boolean color) {
        if (DEBUG) t.printStackTrace(err);
        String message = "error: " + Errors.message(t);
        if (color) {
            message = new AttributedStringBuilder()
                    .style(AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)).append("error:")
                    .style(AttributedStyle.DEFAULT).append(message.substring("error:".length()))
                    .toAnsi();
        }
        err.println(message);
        err.flush();
    }
}

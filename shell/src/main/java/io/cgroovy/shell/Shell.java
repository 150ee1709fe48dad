package io.cgroovy.shell;

import io.cgroovy.dsl.CgroovyScript;
import io.cgroovy.dsl.ContainerSpec;
import io.cgroovy.dsl.Errors;
import io.cgroovy.dsl.ExitRequest;
import io.cgroovy.dsl.ImageList;
import io.cgroovy.dsl.Interpreter;
import io.cgroovy.dsl.Session;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.jline.reader.Candidate;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.AttributedStringBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The prompt: reads snippets (a line, or several while a bracket is open), evaluates each with
 * one {@link Interpreter} so variables persist, prints {@code ==> value} or {@code error: ...}.
 * Owns the terminal only; everything a snippet does is the DSL's.
 */
public final class Shell {
    static final String PROMPT = "cgroovy> ";
    static final String HELP = String.join("\n",
            "Groovy with container words. Variables persist across lines: c = container('busybox') { run 'ps' }",
            "  container(image) { ... }   run a container in the foreground; returns it (c.exitCode, c.oomKilled, c.id, c.name)",
            "      inside: memory '64m', memorySwap '128m', cpus 0.5, cpuShares 512, pids 64, env FOO: 'bar',",
            "              hostname 'box', workdir '/tmp', user 'nobody', name 'web', run 'echo hi' | run 'ls', '-l', cmd ...",
            "  images()                   the images in the store",
            "  load '/path/image.tar'     load a docker-save archive or an OCI layout",
            "  tag 'busybox', 'mine:1'    name an image;  rmi 'mine:1'  remove a name/image",
            "  exit 3                     leave with a status (Ctrl-D leaves too; Ctrl-C cancels a line or stops a container)");

    private final Session session;
    private volatile Thread evalThread;
    /** The interactive session's interpreter, for completion. */
    private volatile Interpreter current;

    public Shell(Session session) {
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
    private record Outcome(boolean leave, int status) {
        static final Outcome CONTINUE = new Outcome(false, 0);
    }

    /**
     * Reads plain lines (no prompt, no escape codes) until end of input; containers get no stdin.
     * The status: an explicit {@code exit N}, else the last foreground container's exit code, else 0.
     */
    public int runPiped(InputStream input, PrintStream out, PrintStream err) {
        session.detachStdin(out, err);
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        try (Interpreter interpreter = new Interpreter(session, outWriter)) {
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
                if (snippet.length() > 0) snippet.append('\n');
                snippet.append(line);
                if (!complete(parser, snippet.toString())) continue;
                Outcome o = evaluate(interpreter, snippet.toString(), outWriter, errWriter, false);
                snippet.setLength(0);
                if (o.leave()) return o.status();
            }
            if (!snippet.toString().isBlank()) {   // input ended inside a bracket: let Groovy say what is wrong
                Outcome o = evaluate(interpreter, snippet.toString(), outWriter, errWriter, false);
                if (o.leave()) return o.status();
            }
            return interpreter.exitStatus();
        }
    }

    /**
     * The interactive prompt on the system terminal. Ctrl-C cancels the line being typed, or
     * interrupts the snippet being evaluated (which stops a foreground container); Ctrl-D leaves.
     */
    public int runInteractive(Path history) {
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).nativeSignals(true).build();
        } catch (IOException e) {
            System.err.println("cgroovy: cannot open the terminal: " + e.getMessage());
            return 1;
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cgroovy-eval");
            t.setDaemon(true);
            return t;
        });
        PrintWriter w = terminal.writer();
        LineReader reader = LineReaderBuilder.builder()
                .appName("cgroovy")
                .terminal(terminal)
                .parser(parser())
                .completer(this::complete)
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P.> ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_TAB, false)
                .build();
        try (Interpreter interpreter = new Interpreter(session, w)) {
            current = interpreter;
            // Outside readLine (which installs its own handler) Ctrl-C interrupts the snippet, never the JVM.
            terminal.handle(Terminal.Signal.INT, signal -> {
                Thread t = evalThread;
                if (t != null) interpreter.interrupt(t);
            });
            w.println("cgroovy — Groovy with containers. /help for the words, Ctrl-D to leave.");
            w.flush();
            while (true) {
                String snippet;
                try {
                    snippet = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue;                              // Ctrl-C: drop the line
                } catch (EndOfFileException e) {
                    return interpreter.exitStatus();       // Ctrl-D
                }
                String command = snippet.trim();
                if (command.isEmpty()) continue;
                if (command.equals("/help") || command.equals("help")) {
                    w.println(HELP);
                    w.flush();
                    continue;
                }
                if (command.equals("/exit")) return interpreter.exitStatus();
                Outcome o = evaluateOnWorker(worker, terminal, interpreter, snippet, w);
                if (o.leave()) return o.status();
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                System.err.println("cgroovy: cannot save history to " + history + ": " + e.getMessage());
            }
            worker.shutdownNow();
            try {
                terminal.close();
            } catch (IOException ignored) {
                // leaving anyway
            }
        }
    }

    /** Tab completion: the DSL words and the variables set so far. */
    private void complete(LineReader reader, org.jline.reader.ParsedLine line, List<Candidate> candidates) {
        List<String> words = new ArrayList<>(CgroovyScript.WORDS);
        words.addAll(ContainerSpec.WORDS);
        Interpreter i = current;
        if (i != null) {
            for (Object name : i.getBinding().getVariables().keySet()) {
                String n = String.valueOf(name);
                if (!n.equals(Session.VARIABLE) && !n.equals("out")) words.add(n);
            }
        }
        for (String w : words) candidates.add(new Candidate(w));
    }

    private Outcome evaluateOnWorker(ExecutorService worker, Terminal terminal, Interpreter interpreter,
                                     String snippet, PrintWriter w) {
        terminal.pause();   // the terminal's input goes to a foreground container, not to JLine
        Future<Outcome> f = worker.submit(() -> {
            evalThread = Thread.currentThread();
            try {
                return evaluate(interpreter, snippet, w, w, true);
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
                    printError(w, e.getCause(), true);
                    return Outcome.CONTINUE;
                }
            }
        } finally {
            terminal.resume();
        }
    }

    /** Evaluates one snippet and prints its value or its error. */
    private static Outcome evaluate(Interpreter interpreter, String snippet, PrintWriter out, PrintWriter err, boolean color) {
        try {
            Object value = interpreter.eval(snippet);
            printValue(out, value);
            return Outcome.CONTINUE;
        } catch (ExitRequest exit) {
            return new Outcome(true, exit.getStatus());
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError || e instanceof OutOfMemoryError)) throw e;
            printError(err, e, color);
            return Outcome.CONTINUE;
        } catch (Throwable t) {
            printError(err, t, color);
            return Outcome.CONTINUE;
        } finally {
            out.flush();
        }
    }

    static void printValue(PrintWriter out, Object value) {
        if (value == null) return;
        if (value instanceof ImageList) {
            out.println(value);           // a table prints as itself
        } else if (value instanceof groovy.lang.Closure) {
            out.println("==> closure");   // not Script3$_run_closure1@6a969fb8
        } else {
            out.println("==> " + InvokerHelper.toString(value));
        }
    }

    /** CGROOVY_DEBUG=1: errors come with their stack trace (for reporting bugs). */
    static final boolean DEBUG = System.getenv("CGROOVY_DEBUG") != null && !System.getenv("CGROOVY_DEBUG").isEmpty();

    private static void printError(PrintWriter err, Throwable t, boolean color) {
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

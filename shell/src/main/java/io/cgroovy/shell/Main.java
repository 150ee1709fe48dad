package io.cgroovy.shell;

import io.cgroovy.api.Serve;
import io.cgroovy.dsl.RecipeCommand;
import io.cgroovy.dsl.RecipeOptions;
import io.cgroovy.dsl.Session;
import org.jline.utils.Signals;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code cgroovy} (the shell), {@code cgroovy run FILE [args]} (a recipe), {@code cgroovy --help}. */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: cgroovy                  start the interactive shell (reads input from a pipe too)",
            "       cgroovy serve [--socket PATH | --tcp 127.0.0.1:PORT]",
            "                                serve the Docker Engine API (default socket /run/cgroovy/docker.sock)",
            "       cgroovy serve --tcp HOST:PORT --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY",
            "                                ... on any address, to clients with a certificate signed by CA",
            "       cgroovy --help           this text",
            RecipeOptions.USAGE.replaceFirst("^usage: ", "       "),
            "",
            "State lives under $CGROOVY_ROOT (default /var/lib/cgroovy); shell history in",
            "$CGROOVY_HISTORY (default ~/.cgroovy_history).");

    private Main() {}

    public static void main(String[] args) {
        int status;
        if (args.length == 1 && args[0].equals("--cds-training")) {
            try {
                status = Training.run();
            } catch (Exception e) {
                System.err.println("cgroovy: class-data training failed: " + e);
                status = 1;
            }
        } else if (args.length == 0 && System.console() != null) {
            // The prompt first: the session (and with it Groovy and the engine) is made behind it.
            LazySession session = new LazySession();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stopRunning, "cgroovy-shutdown"));
            try {
                status = new Shell(session).runInteractive(historyFile());
            } finally {
                session.close();
            }
        } else {
            try (Session session = Session.atDefaultRoot()) {
                // SIGTERM / SIGHUP: the foreground container is stopped and cleaned up, not orphaned
                Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stopRunning(10_000), "cgroovy-shutdown"));
                status = run(args, System.in, System.out, System.err, session, System.console() != null, true);
            }
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the command line; the exit status. {@code interactive}: stdin and stdout are a terminal
     * (else input is read as plain lines).
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Session session, boolean interactive) {
        return run(args, in, out, err, session, interactive, false);
    }

    /** {@code interruptible}: this process owns SIGINT (the real command line, not a test in this JVM). */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Session session,
                   boolean interactive, boolean interruptible) {
        if (args.length == 0) {
            Shell shell = new Shell(session);
            return interactive ? shell.runInteractive(historyFile()) : shell.runPiped(in, out, err);
        }
        switch (args[0]) {
            case "run": case "up": case "plan": case "down": case "lock":
                if (interruptible) interruptOnSigint(session);
                return RecipeCommand.run(args[0], Arrays.asList(args).subList(1, args.length), session, out, err);
            case "serve":
                return Serve.run(session.engine(), Arrays.copyOfRange(args, 1, args.length), out, err);
            case "--help": case "-h": case "help":
                out.println(USAGE);
                return 0;
            default:
                if (RecipeCommand.isRecipeFile(args[0])) {  // #!/usr/bin/env cgroovy: the kernel calls cgroovy FILE [ARGS]
                    if (interruptible) interruptOnSigint(session);
                    return RecipeCommand.runFile(Arrays.asList(args), session, out, err);
                }
                err.println("cgroovy: unknown command '" + args[0] + "'");
                err.println(USAGE);
                return 2;
        }
    }

    /** Ctrl-C stops the foreground container (the engine ends it) and then the recipe: status 130. */
    private static void interruptOnSigint(Session session) {
        Thread recipeThread = Thread.currentThread();
        Signals.register("INT", () -> session.cancel(recipeThread));
    }

    static Path historyFile() {
        String env = System.getenv("CGROOVY_HISTORY");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cgroovy_history");
    }
}

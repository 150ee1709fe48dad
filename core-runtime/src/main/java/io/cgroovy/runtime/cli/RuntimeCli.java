package io.cgroovy.runtime.cli;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cgroovy-runtime}: a runc-compatible command line over cgroovy's executor, so that other engines
 * (podman, containerd shims) can use it as their OCI runtime. Global flags: {@code --root}, {@code --log},
 * {@code --log-format text|json}, {@code --debug}; {@code --systemd-cgroup} is refused (no systemd
 * cgroup manager). Commands: create, start, state, kill, delete, list, run, exec, spec, ps, pause, resume.
 * Errors are one line on stderr (and in the log file, as JSON when asked), exit status 1.
 */
public final class RuntimeCli {
    static final String DEFAULT_ROOT = "/run/cgroovy-runtime";
    static final String VERSION = "cgroovy-runtime version 0.1.0\nspec: 1.0.2";

    /** Flags that take no value (the others take the next argument or "=value"). */
    private static final Set<String> BOOLEAN_FLAGS = Set.of("debug", "systemd-cgroup", "no-pivot", "no-new-keyring", "detach", "d",
            "force", "f", "all", "a", "tty", "t", "keep", "quiet", "q", "no-subreaper", "rootless", "help", "h", "version", "v",
            "no-new-privs", "ignore-paused");

    /** Flags given more than once (exec --env). */
    private static final Set<String> LIST_FLAGS = Set.of("env", "e", "cap", "c", "additional-gids", "g");

    record Args(Map<String, String> flags, Map<String, List<String>> lists, List<String> positional) {
        String flag(String... names) {
            for (String n : names) if (flags.containsKey(n)) return flags.get(n);
            return null;
        }

        boolean has(String... names) {
            for (String n : names) if (flags.containsKey(n)) return true;
            return false;
        }

        List<String> list(String... names) {
            List<String> out = new ArrayList<>();
            for (String n : names) out.addAll(lists.getOrDefault(n, List.of()));
            return out;
        }
    }

    /** Parses flags up to the first positional argument; with {@code stopAtPositional} the rest is positional as is (exec's command). */
    static Args parse(List<String> argv, boolean stopAtPositional) {
        Map<String, String> flags = new HashMap<>();
        Map<String, List<String>> lists = new HashMap<>();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                pos.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            if (a.startsWith("-") && a.length() > 1 && !(stopAtPositional && !pos.isEmpty())) {
                String name = a.replaceFirst("^--?", "");
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (!BOOLEAN_FLAGS.contains(name)) {
                    if (i + 1 >= argv.size()) throw new ContainerException("flag needs an argument: -" + (name.length() > 1 ? "-" : "") + name);
                    value = argv.get(++i);
                }
                if (LIST_FLAGS.contains(name)) lists.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                else flags.put(name, value == null ? "true" : value);
                continue;
            }
            pos.add(a);
            if (stopAtPositional && pos.size() == 1) {
                // exec: ID then the command with its own flags
                pos.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
        }
        return new Args(flags, lists, pos);
    }

    public static void main(String[] argv) {
        System.exit(run(List.of(argv), System.out, System.err));
    }

    /** Runs one command line; returns the exit status. */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        int cmdAt = commandIndex(argv);
        Args global;
        String logFile = null;
        boolean jsonLog = false;
        try {
            global = parse(argv.subList(0, cmdAt < 0 ? argv.size() : cmdAt), false);
            logFile = global.flag("log");
            jsonLog = "json".equals(global.flag("log-format"));
            if (global.has("version", "v")) {
                out.println(VERSION);
                return 0;
            }
            if (cmdAt < 0 || global.has("help", "h")) {
                out.println("usage: cgroovy-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [ARGS]\n"
                        + "commands: create, start, state, kill, delete, list, run, exec, spec, ps, pause, resume");
                return cmdAt < 0 && !global.has("help", "h") ? 1 : 0;
            }
            if (global.has("systemd-cgroup")) {
                throw new ContainerException("--systemd-cgroup is not supported: cgroovy-runtime manages cgroupfs directly "
                        + "(use the cgroupfs cgroup manager, e.g. podman --cgroup-manager cgroupfs)");
            }
            String log = global.flag("log-format");
            if (log != null && !log.equals("json") && !log.equals("text")) throw new ContainerException("unknown log format '" + log + "' (text or json)");
            Path root = Path.of(global.flag("root") == null ? DEFAULT_ROOT : global.flag("root")).toAbsolutePath();
            String cmd = argv.get(cmdAt);
            List<String> rest = argv.subList(cmdAt + 1, argv.size());
            return new RuntimeCommands(root, out, err).run(cmd, rest);
        } catch (ContainerException | IllegalArgumentException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("cgroovy-runtime: " + msg);
            if (logFile != null) log(Path.of(logFile), jsonLog, msg);
            return 1;
        }
    }

    /** The index of the command word: the first argument that is not a global flag or its value. */
    static int commandIndex(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("-")) return i;
            String name = a.replaceFirst("^--?", "");
            if (!name.contains("=") && !BOOLEAN_FLAGS.contains(name)) i++; // skip the value
        }
        return -1;
    }

    /** Appends an error to the log file: a JSON line {"level","msg","time"} (what conmon and podman read) or text. */
    static void log(Path file, boolean json, String msg) {
        String time = Instant.now().toString();
        String line;
        if (json) {
            try {
                line = RuntimeState.JSON.writeValueAsString(Map.of("level", "error", "msg", msg, "time", time));
            } catch (IOException e) {
                line = "{\"level\":\"error\",\"msg\":\"" + msg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            }
        } else {
            line = time + " error: " + msg;
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the error still went to stderr
        }
    }
}

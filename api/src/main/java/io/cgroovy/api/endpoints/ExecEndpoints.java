package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Request;
import io.cgroovy.api.http.Response;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerInfo;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.ExecSettings;
import io.cgroovy.runtime.ExecTerminal;
import io.cgroovy.runtime.Stdio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** {@code docker exec}: create an exec instance, start it on a hijacked connection (or detached), inspect its exit code. */
public final class ExecEndpoints {
    /** Exec instances this server made; the CLI reads ExitCode from /exec/{id}/json after the stream ends. */
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final Engine engine;

    private static final class Instance {
        final String id;
        final String container;
        final ExecSettings settings;
        final boolean stdin, stdout, stderr;
        /** docker exec -t: the process gets a terminal; null without. */
        final ExecTerminal terminal;
        volatile boolean running;
        volatile Integer exitCode;

        Instance(String id, String container, ExecSettings settings, boolean stdin, boolean stdout, boolean stderr,
                 ExecTerminal terminal) {
            this.id = id;
            this.terminal = terminal;
            this.container = container;
            this.settings = settings;
            this.stdin = stdin;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    public ExecEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("POST", "/containers/{id}/exec", this::create);
        r.on("POST", "/exec/{id}/start", this::start);
        r.on("POST", "/exec/{id}/resize", this::resize);
        r.on("GET", "/exec/{id}/json", (req, res) -> res.json(200, inspect(find(req.param("id")))));
    }

    private void create(Request req, Response res) throws IOException {
        ContainerInfo c = Failures.call(() -> engine.inspect(req.param("id")));
        if (!c.isRunning()) throw ApiError.conflict("container " + c.name() + " is not running");
        JsonNode body = Response.JSON.readTree(req.body());
        if (body == null || !body.isObject()) throw ApiError.badRequest("exec: the body must be a JSON object");
        if (body.path("Privileged").asBoolean(false)) throw ApiError.badRequest("exec: --privileged is not supported by cgroovy serve");
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : CreateRequest.strings(body.path("Env"))) {
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        ExecSettings settings = Failures.call(() -> new ExecSettings(CreateRequest.strings(body.path("Cmd")), env,
                blank(CreateRequest.text(body, "User")), blank(CreateRequest.text(body, "WorkingDir"))));
        String id = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        ExecTerminal terminal = null;
        if (body.path("Tty").asBoolean(false)) {
            JsonNode size = body.path("ConsoleSize"); // [height, width], API 1.42+
            terminal = new ExecTerminal(size.path(0).asInt(0), size.path(1).asInt(0));
        }
        instances.put(id, new Instance(id, c.id(), settings, body.path("AttachStdin").asBoolean(false),
                body.path("AttachStdout").asBoolean(false), body.path("AttachStderr").asBoolean(false), terminal));
        res.json(201, Map.of("Id", id));
    }

    private void start(Request req, Response res) throws IOException {
        Instance x = find(req.param("id"));
        JsonNode body = Response.JSON.readTree(req.body());
        boolean detach = body != null && body.path("Detach").asBoolean(false);
        synchronized (x) {
            if (x.running || x.exitCode != null) throw ApiError.conflict("exec " + x.id + " has already been started");
            x.running = true;
        }
        if (detach) {
            Thread t = new Thread(() -> run(x, Stdio.of(InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream())), "api-exec");
            t.setDaemon(true);
            t.start();
            res.empty(200);
            return;
        }
        // a terminal has one stream: raw bytes, no multiplexing headers (as Docker sends them)
        Response.Hijacked raw = res.hijack(req.header("Upgrade") != null,
                x.terminal != null ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream");
        OutputStream out = !x.stdout ? OutputStream.nullOutputStream()
                : x.terminal != null ? raw.out() : new StdStream(raw.out(), StdStream.STDOUT);
        OutputStream err = !x.stderr || x.terminal != null ? OutputStream.nullOutputStream() : new StdStream(raw.out(), StdStream.STDERR);
        run(x, Stdio.of(x.stdin ? ShieldedInput.of(raw.in(), "api-exec-stdin") : InputStream.nullInputStream(), out, err));
        raw.out().flush();
    }

    private void run(Instance x, Stdio stdio) {
        int code;
        try {
            code = engine.exec(x.container, x.settings, stdio, x.terminal);
        } catch (ContainerException e) {
            // the CLI shows what the process would have: a message on stderr and exit status 126 (docker's "cannot run")
            try {
                stdio.err().write(("cgroovy: " + e.getMessage() + "\n").getBytes());
            } catch (IOException ignored) {
                // client gone
            }
            code = 126;
        }
        x.exitCode = code;
        x.running = false;
    }

    /** POST /exec/{id}/resize?h=ROWS&w=COLS: the CLI sends it right after start and on every window change. */
    private void resize(Request req, Response res) throws IOException {
        Instance x = find(req.param("id"));
        if (x.terminal == null) throw ApiError.conflict("exec " + x.id + " has no terminal (it was created without Tty)");
        int h = intParam(req, "h"), w = intParam(req, "w");
        Failures.run(() -> x.terminal.resize(h, w));
        res.empty(200);
    }

    private static int intParam(Request req, String name) {
        String v = req.query(name, null);
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("resize: " + name + " must be a number (got '" + v + "')");
        }
    }

    private Map<String, Object> inspect(Instance x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", x.id);
        m.put("ContainerID", x.container);
        m.put("Running", x.running);
        m.put("ExitCode", x.exitCode);
        m.put("OpenStdin", x.stdin);
        m.put("OpenStdout", x.stdout);
        m.put("OpenStderr", x.stderr);
        m.put("ProcessConfig", Map.of("entrypoint", x.settings.command().get(0),
                "arguments", x.settings.command().subList(1, x.settings.command().size()), "tty", x.terminal != null));
        m.put("Pid", 0);
        return m;
    }

    private Instance find(String id) {
        Instance x = instances.get(id);
        if (x == null) throw ApiError.notFound("no such exec instance: " + id);
        return x;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

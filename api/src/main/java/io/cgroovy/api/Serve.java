package io.cgroovy.api;

import io.cgroovy.api.http.HttpServer;
import io.cgroovy.api.http.Listener;
import io.cgroovy.runtime.Engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code cgroovy serve [--socket PATH | --tcp HOST:PORT [--tls | --tlsverify] ...] [--group NAME]}: the
 * Docker Engine API over this host's engine, until stopped. TLS flags as dockerd's.
 */
public final class Serve implements Closeable {
    public static final Path DEFAULT_SOCKET = Path.of("/run/cgroovy/docker.sock");
    public static final String USAGE = "usage: cgroovy serve [--socket PATH | --tcp 127.0.0.1:PORT | --tcp HOST:PORT --tlsverify"
            + " --tlscacert CA --tlscert CERT --tlskey KEY] [--group NAME]";

    private final HttpServer server;
    private final Path socket;
    private final ServeTls tls;

    private Serve(HttpServer server, Path socket, ServeTls tls) {
        this.server = server;
        this.socket = socket;
        this.tls = tls;
    }

    /** Starts serving {@code engine} as the arguments say; the caller closes it. */
    public static Serve start(Engine engine, String[] args, PrintStream log) throws IOException {
        Path socket = null;
        String tcp = null, ca = null, cert = null, key = null;
        String group = "docker";
        boolean tls = false, verify = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String inline = null;                            // --flag=value, as dockerd takes it too
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                inline = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--socket" -> socket = Path.of(inline != null ? inline : value(args, ++i, a));
                case "--tcp" -> tcp = inline != null ? inline : value(args, ++i, a);
                case "--group" -> group = inline != null ? inline : value(args, ++i, a);
                case "--tls" -> tls = bool(a, inline);
                case "--tlsverify" -> verify = bool(a, inline);
                case "--tlscacert" -> ca = inline != null ? inline : value(args, ++i, a);
                case "--tlscert" -> cert = inline != null ? inline : value(args, ++i, a);
                case "--tlskey" -> key = inline != null ? inline : value(args, ++i, a);
                default -> throw new ServeException("cgroovy serve: unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (socket != null && tcp != null) throw new ServeException("cgroovy serve: give --socket or --tcp, not both");
        if (socket == null && tcp == null) socket = DEFAULT_SOCKET;
        boolean files = ca != null || cert != null || key != null;
        if (tcp == null && (tls || verify || files)) {
            throw new ServeException("cgroovy serve: TLS is for --tcp; the unix socket is guarded by its permissions");
        }
        if (files && !tls && !verify) {
            throw new ServeException("cgroovy serve: --tlscacert, --tlscert and --tlskey need --tlsverify (or --tls)");
        }
        if (ca != null && !verify) {
            throw new ServeException("cgroovy serve: --tlscacert is for verifying clients: add --tlsverify");
        }
        ServeTls t = tls || verify ? ServeTls.of(verify, ca, cert, key, System.getenv()) : null;
        HttpServer server;
        if (tcp != null) {
            server = new HttpServer(Listen.tcp(tcp, t), DockerApi.router(engine), DockerApi.headers(), log);
        } else {
            ServerSocketChannel ch = Listen.unix(socket, group);
            server = new HttpServer(Listener.of(ch), DockerApi.router(engine), DockerApi.headers(), log);
        }
        return new Serve(server, socket, t);
    }

    private static boolean bool(String flag, String inline) {
        if (inline == null || inline.equals("true")) return true;
        if (inline.equals("false")) return false;
        throw new ServeException("cgroovy serve: " + flag + "=" + inline + ": expected true or false");
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new ServeException("cgroovy serve: " + flag + " needs a value\n" + USAGE);
        return args[i];
    }

    /** What a client puts in DOCKER_HOST to reach this server. */
    public String dockerHost() throws IOException {
        if (socket != null) return "unix://" + socket.toAbsolutePath();
        return "tcp://" + server.address().toString().replaceFirst("^.*/", "");
    }

    /** The TLS settings served with, or null. */
    public ServeTls tls() {
        return tls;
    }

    public HttpServer http() {
        return server;
    }

    @Override public void close() throws IOException {
        server.close();
        if (socket != null) Files.deleteIfExists(socket);
    }

    /** The command: serves until SIGTERM/SIGINT; the exit status. */
    public static int run(Engine engine, String[] args, PrintStream out, PrintStream err) {
        Serve s;
        try {
            s = start(engine, args, err);
            out.println("cgroovy serve: Docker Engine API " + ApiVersion.CURRENT + " at " + s.dockerHost()
                    + (s.tls != null ? " (" + s.tls.describe() + ")" : ""));
            out.flush();
        } catch (ServeException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cgroovy serve: " + e.getMessage());
            return 1;
        }
        Object stop = new Object();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "serve-stop"));
        synchronized (stop) {
            while (true) {
                try {
                    stop.wait();
                } catch (InterruptedException e) {
                    return 0;
                }
            }
        }
    }
}

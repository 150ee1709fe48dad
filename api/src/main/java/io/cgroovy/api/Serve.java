package io.cgroovy.api;

import io.cgroovy.api.http.HttpServer;
import io.cgroovy.runtime.Engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code cgroovy serve [--socket PATH | --tcp HOST:PORT] [--group NAME]}: the Docker Engine API over
 * this host's engine, until stopped.
 */
public final class Serve implements Closeable {
    public static final Path DEFAULT_SOCKET = Path.of("/run/cgroovy/docker.sock");
    public static final String USAGE = "usage: cgroovy serve [--socket PATH | --tcp 127.0.0.1:PORT] [--group NAME]";

    private final HttpServer server;
    private final Path socket;

    private Serve(HttpServer server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    /** Starts serving {@code engine} as the arguments say; the caller closes it. */
    public static Serve start(Engine engine, String[] args, PrintStream log) throws IOException {
        Path socket = null;
        String tcp = null;
        String group = "docker";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--socket" -> socket = Path.of(value(args, ++i, a));
                case "--tcp" -> tcp = value(args, ++i, a);
                case "--group" -> group = value(args, ++i, a);
                default -> throw new ServeException("cgroovy serve: unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (socket != null && tcp != null) throw new ServeException("cgroovy serve: give --socket or --tcp, not both");
        if (socket == null && tcp == null) socket = DEFAULT_SOCKET;
        ServerSocketChannel ch = tcp != null ? Listen.tcp(tcp) : Listen.unix(socket, group);
        HttpServer server = new HttpServer(ch, DockerApi.router(engine), DockerApi.headers(), log);
        return new Serve(server, socket);
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
            out.println("cgroovy serve: Docker Engine API " + ApiVersion.CURRENT + " at " + s.dockerHost());
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

package io.cgroovy.shell;

import io.cgroovy.dsl.Session;

import java.util.function.Supplier;

/** The session at the default root, made on first use (so Groovy need not load before the prompt). */
final class LazySession implements Supplier<Session>, AutoCloseable {
    private Session session;

    @Override
    public synchronized Session get() {
        if (session == null) session = Session.atDefaultRoot();
        return session;
    }

    /** For a JVM shutdown (SIGTERM, SIGHUP): stops the foreground container, if there is a session at all. */
    void stopRunning() {
        Session s;
        synchronized (this) { s = session; }
        if (s != null) s.stopRunning(10_000);
    }

    @Override
    public synchronized void close() {
        if (session != null) session.close();
    }
}

package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.util.concurrent.TimeUnit

/**
 * Keep-alive connections to one engine waiting for their next request, each with the buffered
 * reader that read its last answer. A few, and none older than a while: an ssh connection is a
 * process on both machines, and a server drops idle connections on its own schedule.
 */
@CompileStatic
final class IdleConnections implements Closeable {
    static final int MAX = 4
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30)

    /** A connection between requests: its input already buffered past the last answer. */
    @CompileStatic
    static final class Idle {
        final Connection connection
        final InputStream input
        final long since

        Idle(Connection connection, InputStream input) {
            this.connection = connection; this.input = input; this.since = System.nanoTime()
        }
    }

    private final Deque<Idle> idle = new ArrayDeque<>()
    private boolean closed

    /** The most recently used connection that is not too old, or null; older ones are closed. */
    Idle take() {
        List<Idle> stale = []
        Idle found = null
        synchronized (idle) {
            while (!idle.isEmpty()) {
                Idle i = idle.pollFirst()
                if (System.nanoTime() - i.since < MAX_IDLE_NANOS) { found = i; break }
                stale << i
            }
        }
        stale.each { it.connection.close() }
        found
    }

    /** Keeps {@code connection} for a later request; closes it when closed already or full. */
    void offer(Connection connection, InputStream input) {
        Idle evicted = null
        synchronized (idle) {
            if (!closed) {
                idle.offerFirst(new Idle(connection, input))
                if (idle.size() > MAX) evicted = idle.pollLast()
                connection = null
            }
        }
        connection?.close()
        evicted?.connection?.close()
    }

    @Override void close() {
        List<Idle> all
        synchronized (idle) {
            closed = true
            all = new ArrayList<>(idle)
            idle.clear()
        }
        all.each { it.connection.close() }
    }
}

package io.cgroovy.runtime.net;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Work that changes its thread's network namespace (unshare, setns) runs on a short-lived thread of
 * its own, so no other JVM thread ever moves.
 */
final class NamespaceThread {
    private NamespaceThread() {}

    /**
     * Runs {@code body} on a new thread named {@code name} and waits for it to end, also when
     * interrupted (set-up runs to the end, or half a network is left; the interrupt flag is kept).
     * What {@code body} throws is thrown here.
     */
    static void run(String name, Runnable body) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, name);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure.get() != null) throw failure.get();
    }
}

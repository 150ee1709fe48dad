package io.cgroovy.image

import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean

/**
 * A TCP proxy on 127.0.0.1 in front of a registry that cuts one connection once it has carried
 * {@code cutAfter} bytes towards the client (mid-layer, when only a layer is that large), and
 * records what clients sent, so a spec can see the Range request of the resume.
 */
class CuttingProxy implements Closeable {
    final ServerSocket server
    final int upstreamPort
    final long cutAfter
    final AtomicBoolean cut = new AtomicBoolean()
    final List<String> sent = new CopyOnWriteArrayList<>()
    /** Client connections accepted so far. */
    final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger()
    private final List<Socket> sockets = new CopyOnWriteArrayList<>()
    private final Set<Socket> live = java.util.concurrent.ConcurrentHashMap.newKeySet()
    private volatile boolean closed

    /** Pause after each 16 KiB towards the client (a slow registry), 0 for none. */
    volatile long pauseMillis

    /** Drop clients' Range headers: the registry then answers a resume with the whole blob (200), as some do. */
    volatile boolean stripRange

    CuttingProxy(int upstreamPort, long cutAfter) {
        this.upstreamPort = upstreamPort
        this.cutAfter = cutAfter
        server = new ServerSocket(0, 50, InetAddress.getByName('127.0.0.1'))
        Thread.startDaemon('proxy-accept') {
            while (!closed) {
                Socket c
                try { c = server.accept() } catch (IOException ignored) { return }
                Socket u = new Socket('127.0.0.1', upstreamPort)
                sockets << c << u
                accepted.incrementAndGet()
                live << c
                Thread.startDaemon('proxy-up') { pump(c, u, false) }
                Thread.startDaemon('proxy-down') { pump(u, c, true) }
            }
        }
    }

    String getHost() { "127.0.0.1:${server.localPort}" }

    /** True when a client asked for a byte range (the resume after the cut). */
    boolean sawRangeRequest() { sent.any { it =~ /(?i)\r\nrange: bytes=[1-9]/ } }

    private void pump(Socket from, Socket to, boolean down) {
        byte[] buf = new byte[16 * 1024]
        long n = 0
        try {
            def in_ = from.inputStream
            def out = to.outputStream
            for (int r; (r = in_.read(buf)) > 0;) {
                if (down && cutAfter > 0 && n + r > cutAfter && cut.compareAndSet(false, true)) {
                    out.write(buf, 0, (int) (cutAfter - n))
                    out.flush()
                    from.close()
                    to.close()
                    return
                }
                if (!down) {
                    String text = new String(buf, 0, r, 'ISO-8859-1')
                    sent << text
                    if (stripRange && text =~ /(?i)\r\nrange: /) {
                        byte[] b = text.replaceAll(/(?i)\r\nrange: [^\r]*/, '').getBytes('ISO-8859-1')
                        out.write(b)
                        continue
                    }
                }
                out.write(buf, 0, r)
                n += r
                if (down && pauseMillis > 0) Thread.sleep(pauseMillis)
            }
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            if (!down) live.remove(from)
            try { to.shutdownOutput() } catch (IOException ignored) { }
        }
    }

    /** Client connections whose client has not closed (or half-closed) its side yet. */
    int open() { live.size() }

    /** Closes every connection now, as a server dropping idle keep-alive connections does; accepting goes on. */
    void dropAll() {
        sockets.each { try { it.close() } catch (IOException ignored) { } }
        sockets.clear()
    }

    @Override
    void close() {
        closed = true
        server.close()
        sockets.each { try { it.close() } catch (IOException ignored) { } }
    }
}

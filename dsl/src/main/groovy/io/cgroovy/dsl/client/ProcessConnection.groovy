package io.cgroovy.dsl.client

import groovy.transform.CompileStatic

import java.nio.channels.ClosedByInterruptException
import java.nio.channels.ClosedChannelException
import java.nio.charset.StandardCharsets
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.BlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A connection over a child process's stdin and stdout (ssh running dial-stdio). Its output is
 * read by a thread into a small queue, so a reader blocks interruptibly as on a SocketChannel: an
 * interrupt closes the connection and throws ClosedByInterruptException with the flag kept.
 * When the process ends with a failure, reading or writing throws its stderr's last line
 * (a DialException when nothing had come back). close() stops the process (SIGTERM, SIGKILL
 * after 3 s) and waits for it, so none is left behind.
 */
@CompileStatic
final class ProcessConnection implements Connection {
    private static final byte[] EOF = new byte[0]

    private final Process process
    private final String name
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(16)
    private final StringBuilder stderr = new StringBuilder()
    private final Thread stderrReader
    private final InputStream input = new Input()
    private final OutputStream output = new Output()
    private volatile IOException failure
    private volatile boolean received   // a byte came from stdout
    private volatile boolean closed

    ProcessConnection(Process process, String name) {
        this.process = process
        this.name = name
        stderrReader = Thread.startDaemon("${name}-stderr-${process.pid()}".toString()) { readStderr() }
        Thread.startDaemon("${name}-stdout-${process.pid()}".toString()) { readStdout() }
    }

    @Override InputStream input() { input }

    @Override OutputStream output() { output }

    @Override void closeWrite() {
        try { process.outputStream.close() } catch (IOException ignored) { /* already gone */ }
    }

    @Override void close() {
        if (closed) return
        closed = true
        boolean interrupted = Thread.interrupted()   // waitFor below must not be cut short by a Ctrl-C
        try {
            closeWrite()
            if (process.alive) {
                process.destroy()
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly()
                    process.waitFor()
                }
            }
            chunks.clear()   // unblocks the stdout thread, which then sees the end of the stream
            chunks.offer(EOF)   // and a reader still waiting sees it too
            try { process.inputStream.close() } catch (IOException ignored) { }
            stderrReader.join(1000)
            try { process.errorStream.close() } catch (IOException ignored) { }
        } finally {
            if (interrupted) Thread.currentThread().interrupt()
        }
    }

    private void readStdout() {
        InputStream in = process.inputStream
        try {
            byte[] buf = new byte[16384]
            int n
            while ((n = in.read(buf)) >= 0) {
                if (n > 0) {
                    received = true
                    put(Arrays.copyOf(buf, n))
                }
                if (closed) return
            }
            failure = ended()
        } catch (IOException e) {
            if (!closed) failure = e
        } finally {
            try { in.close() } catch (IOException ignored) { }
            put(EOF)
        }
    }

    private void put(byte[] b) {
        // the reader may have gone (closed): never block for good
        while (!closed && !chunks.offer(b, 200, TimeUnit.MILLISECONDS)) { }
        if (closed && b.is(EOF)) chunks.offer(EOF)
    }

    private void readStderr() {
        try {
            Reader r = new InputStreamReader(process.errorStream, StandardCharsets.UTF_8)
            char[] buf = new char[4096]
            int n
            while ((n = r.read(buf)) >= 0) {
                synchronized (stderr) {
                    stderr.append(buf, 0, n)
                    if (stderr.length() > 8192) stderr.delete(0, stderr.length() - 4096)
                }
            }
        } catch (IOException ignored) {
            // closed by close()
        }
    }

    /** After the process's stdout ended: null when it exited 0, else why it failed. */
    private IOException ended() {
        if (closed) return null
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) return null   // the stream ended, the process lingers: close() stops it
        } catch (InterruptedException e) {
            return null
        }
        int code = process.exitValue()
        if (code == 0) return null
        stderrReader.join(2000)
        String last = ''
        synchronized (stderr) {
            for (String l : stderr.toString().readLines()) if (l.trim()) last = l.trim()
        }
        String msg = "${name} exited ${code}${last ? ': ' + last : ''}".toString()
        received ? new IOException(msg) : new DialException(msg)
    }

    private IOException interrupted() {
        close()
        Thread.currentThread().interrupt()
        new ClosedByInterruptException()
    }

    /** stdout, from the queue. */
    private final class Input extends InputStream {
        private byte[] chunk
        private int pos
        private boolean atEnd

        @Override int read() {
            byte[] b = new byte[1]
            int n = read(b, 0, 1)
            n < 0 ? -1 : (b[0] & 0xff)
        }

        @Override int read(byte[] b, int off, int len) {
            if (len == 0) return 0
            if (chunk == null || pos == chunk.length) {
                if (atEnd) return -1
                if (closed && chunks.isEmpty()) throw new ClosedChannelException()
                if (Thread.interrupted()) throw interrupted()
                try {
                    chunk = chunks.take()
                } catch (InterruptedException e) {
                    throw interrupted()
                }
                pos = 0
                if (chunk.is(EOF)) {
                    atEnd = true
                    if (failure != null) throw failure
                    return -1
                }
            }
            int n = Math.min(len, chunk.length - pos)
            System.arraycopy(chunk, pos, b, off, n)
            pos += n
            n
        }

        @Override int available() { chunk == null ? 0 : chunk.length - pos }

        @Override void close() { ProcessConnection.this.close() }
    }

    /** stdin; a write into a process that died says why it died. */
    private final class Output extends OutputStream {
        @Override void write(int b) { write([(byte) b] as byte[], 0, 1) }

        @Override void write(byte[] b, int off, int len) {
            try {
                process.outputStream.write(b, off, len)
            } catch (IOException e) {
                throw whyWriteFailed(e)
            }
        }

        @Override void flush() {
            try {
                process.outputStream.flush()
            } catch (IOException e) {
                throw whyWriteFailed(e)
            }
        }

        @Override void close() { closeWrite() }
    }

    private IOException whyWriteFailed(IOException e) {
        if (closed) return e
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) return e
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt()
            return e
        }
        ended() ?: e
    }
}

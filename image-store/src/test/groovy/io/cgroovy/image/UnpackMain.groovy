package io.cgroovy.image

import java.nio.file.Path

/** Run by UnprivilegedSpec in a JVM without capabilities: unpacks one layer, prints the outcome. */
class UnpackMain {
    static void main(String[] args) {
        def blob = Path.of(args[0])
        try {
            new LayerUnpacker(1L << 30).unpack(blob, args[1], args[1], Path.of(args[2]))
            println 'ok'
        } catch (ImageException e) {
            println 'error: ' + e.message
        }
    }
}

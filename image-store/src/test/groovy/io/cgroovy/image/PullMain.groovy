package io.cgroovy.image

import java.nio.file.Path

/** Run in a second JVM by RegistryCrashSpec: pulls one image into a store, prints the record id. */
class PullMain {
    static void main(String[] args) {
        def rec = ImageStore.open(Path.of(args[0])).pull(args[1], RegistryOptions.defaults().dockerConfig(Path.of(args[2])))
        println "pulled ${rec.id()}"
    }
}

package io.cgroovy.image

import java.nio.file.Path

/** Run in a second JVM by ConcurrencySpec: loads, unpacks and removes one image in a loop. */
class LoaderMain {
    static void main(String[] args) {
        def store = ImageStore.open(Path.of(args[0]))
        int n = args[3] as int
        n.times {
            store.load(Path.of(args[1]))
            assert store.snapshot(args[2]).layers().size() == 2
            store.remove(args[2])
        }
        println 'done'
    }
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** What {@code prune()} removed; prints as Docker's prune report. */
@CompileStatic
final class Pruned {
    final List<String> containers
    final List<String> images

    Pruned(List<String> containers, List<String> images) {
        this.containers = containers.asImmutable()
        this.images = images.asImmutable()
    }

    @Override
    String toString() {
        List<String> lines = []
        if (containers) lines.addAll(['Deleted Containers:'] + containers)
        if (images) lines.addAll(['Deleted Images:'] + images.collect { "deleted: ${it}".toString() })
        lines ? lines.join('\n') : 'Nothing to prune'
    }
}

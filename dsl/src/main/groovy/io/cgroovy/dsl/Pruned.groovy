package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** What {@code prune()} or {@code builderPrune()} removed; prints as Docker's prune report. */
@CompileStatic
final class Pruned {
    final List<String> containers
    final List<String> images
    /** Build-step images the build cache alone held (removed with their layers). */
    final List<String> buildCache
    /** Build cache entries dropped (the next build runs its steps again). */
    final int cacheEntries
    /** Bytes of image blobs the build cache pruning freed. */
    final long bytesFreed

    Pruned(List<String> containers, List<String> images) { this(containers, images, [], 0, 0L) }

    Pruned(List<String> containers, List<String> images, List<String> buildCache, int cacheEntries, long bytesFreed) {
        this.containers = containers.asImmutable()
        this.images = images.asImmutable()
        this.buildCache = buildCache.asImmutable()
        this.cacheEntries = cacheEntries
        this.bytesFreed = bytesFreed
    }

    @Override
    String toString() {
        List<String> lines = []
        if (containers) lines.addAll(['Deleted Containers:'] + containers)
        if (images) lines.addAll(['Deleted Images:'] + images.collect { "deleted: ${it}".toString() })
        if (buildCache || cacheEntries) {
            lines.addAll(['Deleted build cache objects:'] + buildCache)
            lines << "Total reclaimed space: ${Sizes.human(bytesFreed)}".toString()
        }
        lines ? lines.join('\n') : 'Nothing to prune'
    }
}

package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.image.ImageRecord
import io.cgroovy.image.ImageStore

import java.time.Duration
import java.time.Instant

/** An image in the store, as {@code images()} and {@code load} return it. */
@CompileStatic
@WordScope('Image')
final class Image {
    /** The config digest, "sha256:...". */
    @Word("The image id (its config digest, sha256:...).")
    final String id
    /** Short references ("busybox:latest"); empty for a dangling image. */
    @Word("Its names (busybox:latest); empty for a dangling image.")
    final List<String> tags
    @Word("Size in bytes.")
    final long size
    /** Null when the image does not say. */
    @Word("When it was built, null when the image does not say.")
    final Instant created
    @Word("The digest of its manifest (what image@sha256:... pins).")
    final String manifestDigest

    /** After a build: how many steps ran, and how many came from the build cache. */
    Integer stepsRun
    Integer cacheHits

    Image(String id, List<String> tags, long size, Instant created, String manifestDigest) {
        this.id = id
        this.tags = tags == null ? List.<String>of() : List.copyOf(tags)
        this.size = size
        this.created = created
        this.manifestDigest = manifestDigest
    }

    /** What a build or commit gives under {@code cgroovy lock}: its name only, nothing built. */
    static Image planned(String tag) { new Image(null, tag ? [tag] : [], 0L, null, null) }

    static Image of(ImageRecord r) { new Image(r.id(), r.tags(), r.size(), r.created(), r.manifestDigest()) }

    /** An image that can show its layers and history from {@code store}. */
    static Image of(ImageRecord r, ImageStore store) {
        Image i = of(r)
        i.store = store
        i
    }

    /** The store it is in, for layers and history (null for handles made without one). */
    ImageStore store

    @Word("Its layers, lowest first as the manifest lists them: digest, size, and the step (created_by) that made each.")
    ViewList getLayers() { ImageViews.layers(store(), id, getRef()) }

    @Word("Its history, newest first like docker history: each step, when it ran, and the size of the layer it made.")
    ViewList getHistory() { ImageViews.history(store(), id, getRef()) }

    private ImageStore store() {
        if (store == null) throw new DslException("image ${ref}: no store to read it from (use image('${ref}'))".toString())
        store
    }

    /** 12 hex digits of the id, as Docker's IMAGE ID column shows it. */
    String getShortId() {
        String hex = id?.contains(':') ? id.substring(id.indexOf(':') + 1) : id
        hex == null ? '' : hex.length() > 12 ? hex.substring(0, 12) : hex
    }

    /** The first tag, or the short id for a dangling image. */
    String getRef() { tags ? tags[0] : shortId }

    /** "2 hours ago", the way Docker's CREATED column says it. */
    String getCreatedAgo() { ago(created, Instant.now()) }

    @Override
    String toString() { "image ${ref} (${shortId}, ${Sizes.human(size)})" }

    static String ago(Instant then, Instant now) {
        if (then == null) return 'N/A'
        long s = Duration.between(then, now).seconds
        if (s < 1) return 'Less than a second ago'
        if (s < 60) return "${s} second${s == 1 ? '' : 's'} ago"
        long m = s.intdiv(60).longValue()
        if (m == 1) return 'About a minute ago'
        if (m < 60) return "${m} minutes ago"
        long h = m.intdiv(60).longValue()
        if (h == 1) return 'About an hour ago'
        if (h < 48) return "${h} hours ago"
        long d = h.intdiv(24).longValue()
        if (d < 14) return "${d} days ago"
        if (d < 60) return "${d.intdiv(7)} weeks ago"
        if (d < 730) return "${d.intdiv(30)} months ago"
        "${d.intdiv(365)} years ago"
    }
}

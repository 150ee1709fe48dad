package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** A list of images that prints as Docker's table: REPOSITORY TAG IMAGE ID CREATED SIZE, one row per tag. */
@CompileStatic
class ImageList extends ArrayList<Image> {
    public static final List<String> HEADERS = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'].asImmutable()

    ImageList(Collection<Image> images) { super(images) }

    /** One row per tag (a dangling image is one row of {@code <none>}), newest first. */
    List<List<String>> rows() {
        List<List<String>> rows = []
        List<Image> newestFirst = this.toSorted { Image a, Image b -> (b.created ?: java.time.Instant.EPOCH) <=> (a.created ?: java.time.Instant.EPOCH) }
        for (Image i : newestFirst) {
            List<String> tags = i.tags ?: ['<none>:<none>']
            for (String t : tags) {
                int colon = t.lastIndexOf(':')
                boolean hasTag = colon > t.lastIndexOf('/')
                rows << [hasTag ? t.substring(0, colon) : t, hasTag ? t.substring(colon + 1) : '<none>',
                         i.shortId, i.createdAgo, Sizes.human(i.size)]
            }
        }
        rows
    }

    /** The table, columns padded to their widest cell and three spaces apart (no trailing newline). */
    @Override
    String toString() {
        TextTable.format(HEADERS, rows())
    }
}

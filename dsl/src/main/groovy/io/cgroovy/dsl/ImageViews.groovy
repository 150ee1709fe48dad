package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.image.ImageConfig
import io.cgroovy.image.ImageLayer
import io.cgroovy.image.ImageRecord
import io.cgroovy.image.ImageStore

/** {@code image('x').layers}, {@code image('x').history} and {@code imageTree()}, from the image store's records. */
@CompileStatic
final class ImageViews {
    static final int WIDTH = 80

    private ImageViews() {}

    /** {@code ref} names the image in the store, {@code shown} in the title. */
    static ViewList layers(ImageStore store, String ref, String shown) {
        List<ImageLayer> ls = store.layers(ref)
        List<String> lines = ["layers of ${shown}, lowest first".toString(), '  #  DIGEST               SIZE      CREATED BY']
        for (ImageLayer l : ls) {
            lines << String.format('  %-2d %-20s %-9s %s', l.index() + 1, shortDigest(l.digest()), size(l.size()), step(l.createdBy()))
        }
        new ViewList(ls.collect { ImageLayer l -> layerMap(l) }, View.cut(lines.join('\n'), WIDTH))
    }

    static Map<String, Object> layerMap(ImageLayer l) {
        [index: l.index(), digest: l.digest(), mediaType: l.mediaType(), size: l.size(), diffId: l.diffId(), chainId: l.chainId(),
         dir: l.dir().toString(), createdBy: l.createdBy(), created: l.created()] as Map<String, Object>
    }

    /** Like docker history: newest step first, the size of the layer each step made (0B for steps that made none). */
    static ViewList history(ImageStore store, String ref, String shown) {
        List<ImageConfig.History> hs = store.history(ref)
        List<ImageLayer> ls = store.layers(ref)
        List<Map<String, Object>> items = []
        int layer = 0
        for (ImageConfig.History h : hs) {
            boolean empty = Boolean.TRUE == h.emptyLayer
            ImageLayer l = !empty && layer < ls.size() ? ls[layer++] : null
            items << ([created: h.created, createdBy: h.createdBy, comment: h.comment, emptyLayer: empty,
                       layer: l?.digest(), size: l == null ? 0L : l.size()] as Map<String, Object>)
        }
        List<String> lines = ["history of ${shown}, newest first".toString(), '  CREATED               SIZE      CREATED BY']
        for (Map<String, Object> m : items.reverse()) {
            lines << String.format('  %-21s %-9s %s', (m.created ?: 'N/A').toString().take(19).replace('T', ' '), size(m.size as long), step(m.createdBy as String))
        }
        if (items.isEmpty()) lines << '  (the image has no history)'
        new ViewList(items, View.cut(lines.join('\n'), WIDTH))
    }

    /**
     * Which images share which layers: a tree of layer chains (a layer is the same only with the same layers below
     * it), each image named where its top layer is; the total counts every stored layer blob once.
     */
    static View tree(ImageStore store) {
        Node root = new Node(null)
        Map<String, Long> blobSizes = new LinkedHashMap<>()
        List<Map<String, Object>> images = []
        for (ImageRecord r : store.list()) {
            List<ImageLayer> ls = store.layers(r.id())
            Node n = root
            for (ImageLayer l : ls) {
                n = n.children.computeIfAbsent(l.chainId()) { new Node(l) }
                blobSizes.put(l.digest(), l.size())
            }
            n.images << (r.tags() ? r.tags().join(', ') : shortDigest(r.id()))
            images << ([id: r.id(), tags: r.tags(), layers: ls*.digest(), size: (ls*.size().sum() ?: 0L)] as Map<String, Object>)
        }
        long total = (blobSizes.values().sum() ?: 0L) as long
        List<String> lines = ["${images.size()} image${images.size() == 1 ? '' : 's'}, ${blobSizes.size()} layer${blobSizes.size() == 1 ? '' : 's'}, ${size(total)} (each layer counted once)".toString()]
        draw(root, '', lines)
        Map<String, Integer> users = [:]
        root.walk { Node x -> if (x.layer) users.merge(x.layer.digest(), x.imageCount(), { Integer a, Integer b -> a + b }) }
        List<Map<String, Object>> layers = blobSizes.collect { String d, Long s -> [digest: d, size: s, images: users[d] ?: 0] as Map<String, Object> }
        new View([images: images, layers: layers, totalSize: total] as Map<String, Object>, View.cut(lines.join('\n'), WIDTH))
    }

    @CompileStatic
    private static final class Node {
        final ImageLayer layer
        final Map<String, Node> children = new LinkedHashMap<>()
        final List<String> images = []

        Node(ImageLayer layer) { this.layer = layer }

        /** Images whose chain goes through this layer. */
        int imageCount() {
            int n = images.size()
            for (Node c : children.values()) n += c.imageCount()
            n
        }

        void walk(Closure<?> c) {
            c.call(this)
            for (Node n : children.values()) n.walk(c)
        }
    }

    /**
     * A chain of layers that no image ends on and that does not branch is drawn on one line per layer at the same
     * depth (the tree only steps right where images part), so deep images still fit 80 columns.
     */
    private static void draw(Node parent, String indent, List<String> lines) {
        List<Node> kids = new ArrayList<>(parent.children.values())
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1
            Node n = kids[i]
            String pad = indent + (last ? '   ' : '│  ')
            lines << indent + (last ? '└─ ' : '├─ ') + label(n)
            // follow a straight run without stepping right
            while (n.images.isEmpty() && n.children.size() == 1) {
                n = n.children.values().iterator().next()
                lines << pad + label(n)
            }
            draw(n, pad, lines)
        }
    }

    private static String label(Node n) {
        String s = "${shortDigest(n.layer.digest())} ${size(n.layer.size()).padLeft(8)}".toString()
        String step = step(n.layer.createdBy())
        n.images ? "${s}  ${n.images.join('; ')}".toString() : step ? "${s}  · ${step}".toString() : s
    }

    static String shortDigest(String d) {
        if (d == null) return '?'
        String hex = d.startsWith('sha256:') ? d.substring(7) : d
        'sha256:' + hex.take(12)
    }

    static String size(long bytes) { bytes < 0 ? '?' : Sizes.human(bytes) }

    static String step(String createdBy) { createdBy == null ? '' : createdBy.replace('/bin/sh -c #(nop) ', '').replaceAll('\\s+', ' ').trim() }
}

package io.cgroovy.image;

import java.util.List;

/** Reads manifests and indexes, checking that each is the kind of document that was asked for. */
final class Documents {
    private Documents() {}

    /** A manifest reached through a descriptor whose mediaType said "manifest". */
    static OciDocument manifest(byte[] bytes, Descriptor asked) {
        String what = "manifest " + asked.digest;
        OciDocument m = Json.parse(bytes, OciDocument.class, what);
        checkMediaType(m, asked, what);
        if (m.manifests != null) throw new ImageException(what + ": is an index, but a manifest was asked for (mediaType " + asked.mediaType + ")");
        if (m.config == null || m.layers == null) throw new ImageException(what + ": not an image manifest (no config or layers)");
        if (m.schemaVersion == null || m.schemaVersion != 2) throw new ImageException(what + ": unsupported schemaVersion " + m.schemaVersion);
        m.config.checked("config of " + what);
        String cmt = m.config.mediaType;
        if (cmt == null || !MediaTypes.CONFIGS.contains(cmt)) {
            throw new ImageException(what + ": not a container image (config mediaType " + cmt + ")");
        }
        for (Descriptor l : m.layers) {
            l.checked("layer of " + what);
            if (l.mediaType == null || !MediaTypes.LAYERS.contains(l.mediaType)) {
                throw new ImageException("layer " + l.digest + ": unsupported mediaType " + l.mediaType);
            }
        }
        return m;
    }

    /** An index reached through a descriptor whose mediaType said "index" (or the layout's index.json). */
    static OciDocument index(byte[] bytes, Descriptor asked, String what) {
        OciDocument ix = Json.parse(bytes, OciDocument.class, what);
        if (asked != null) checkMediaType(ix, asked, what);
        else if (ix.mediaType != null && !MediaTypes.INDEXES.contains(ix.mediaType)) {
            throw new ImageException(what + ": mediaType " + ix.mediaType + " is not an index");
        }
        if (ix.config != null || ix.layers != null) throw new ImageException(what + ": is a manifest, but an index was asked for");
        if (ix.manifests == null) throw new ImageException(what + ": not an index (no manifests)");
        for (Descriptor d : ix.manifests) d.checked("entry of " + what);
        return ix;
    }

    /** CVE-2021-41190: the document's own mediaType, when it states one, must be the one asked for. */
    private static void checkMediaType(OciDocument doc, Descriptor asked, String what) {
        if (doc.mediaType != null && asked.mediaType != null && !doc.mediaType.equals(asked.mediaType)) {
            throw new ImageException(what + ": mediaType " + doc.mediaType + " does not match the " + asked.mediaType + " asked for");
        }
    }

    /** Picks the host platform (linux + this JVM's architecture) from a multi-platform index. */
    static Descriptor pickPlatform(OciDocument index, String what) {
        String arch = hostArchitecture();
        List<Descriptor> ms = index.manifests;
        for (Descriptor d : ms) {
            if (d.platform != null && "linux".equals(d.platform.os) && arch.equals(d.platform.architecture)
                    && MediaTypes.MANIFESTS.contains(d.mediaType)) {
                return d;
            }
        }
        throw new ImageException(what + ": no linux/" + arch + " image in this index");
    }

    /**
     * The entries of a layout's index.json to import: all of them, except that entries stating a
     * platform other than the host's are left out (a layout may list one image per platform
     * under the same name; importing them all would leave the tag on whichever came last).
     */
    static List<Descriptor> forHost(OciDocument index, String what) {
        String arch = hostArchitecture();
        List<Descriptor> out = new java.util.ArrayList<>();
        for (Descriptor d : index.manifests) {
            boolean other = d.platform != null && !("linux".equals(d.platform.os) && arch.equals(d.platform.architecture));
            if (!other) out.add(d);
        }
        if (out.isEmpty() && !index.manifests.isEmpty()) throw new ImageException(what + ": no linux/" + arch + " image in this layout");
        return out;
    }

    static String hostArchitecture() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }
}

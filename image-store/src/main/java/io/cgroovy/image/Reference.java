package io.cgroovy.image;

import java.util.regex.Pattern;

/**
 * An image reference normalised like Docker's: {@code busybox} == {@code busybox:latest} ==
 * {@code docker.io/library/busybox:latest}. Records keep the full form; users see the short one.
 *
 * @param name   domain and path, e.g. "docker.io/library/busybox"
 * @param tag    the tag, "latest" when none was given (null when only a digest was given)
 * @param digest the "@sha256:..." part, or null
 */
record Reference(String name, String tag, String digest) {
    static final String DEFAULT_DOMAIN = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    static Reference parse(String ref) {
        if (ref == null || ref.isBlank()) throw new ImageException("invalid reference: empty");
        if (!ref.equals(ref.strip())) throw new ImageException("invalid reference '" + ref + "': leading or trailing spaces");
        if (ref.contains("://")) throw new ImageException("invalid reference '" + ref + "': a reference has no scheme (write host/name:tag)");
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            if (!Digest.isDigest(digest)) throw new ImageException("invalid reference '" + ref + "': bad digest");
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new ImageException("invalid reference '" + ref + "': bad tag '" + tag + "'");
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            // Docker's rule: a first component with '.' or ':' or equal to localhost is a registry host
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!DOMAIN.matcher(first).matches()) throw new ImageException("invalid reference '" + ref + "': bad registry '" + first + "'");
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) path = "library/" + path;
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) throw new ImageException("invalid reference '" + ref + "': bad name component '" + c + "'");
        }
        if (tag == null && digest == null) tag = "latest";
        return new Reference(domain + "/" + path, tag, digest);
    }

    /** The canonical name:tag this store keys tags by. */
    String full() {
        return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** Short display form: docker.io/library/ dropped as Docker shows it. */
    static String display(String full) {
        if (full.startsWith(DEFAULT_DOMAIN + "/library/")) return full.substring((DEFAULT_DOMAIN + "/library/").length());
        if (full.startsWith(DEFAULT_DOMAIN + "/")) return full.substring((DEFAULT_DOMAIN + "/").length());
        return full;
    }

    /** Normalises a name:tag given to tag/import; digests cannot be tags. */
    static String normaliseTag(String ref) {
        Reference r = parse(ref);
        if (r.digest != null) throw new ImageException("invalid tag '" + ref + "': a tag cannot contain a digest");
        return r.full();
    }

    /** The registry host as written ("docker.io", "127.0.0.1:5000"). */
    String domain() {
        return name.substring(0, name.indexOf('/'));
    }

    /** The repository path inside the registry ("library/busybox"). */
    String repository() {
        return name.substring(name.indexOf('/') + 1);
    }

    /** The tag or digest a manifest is fetched by: the digest wins when both are given, as Docker does. */
    String manifestRef() {
        return digest != null ? digest : tag;
    }

    static boolean hasExplicitTag(String ref) {
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') || ref.contains("@");
    }
}

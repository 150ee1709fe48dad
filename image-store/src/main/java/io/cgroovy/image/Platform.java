package io.cgroovy.image;

/** An image platform, "linux/amd64" or "linux/arm/v7", as {@code --platform} takes it. */
record Platform(String os, String architecture, String variant) {
    static Platform parse(String s) {
        String[] p = s.split("/", -1);
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty() || (p.length == 3 && p[2].isEmpty())) {
            throw new ImageException("invalid platform '" + s + "': expected os/arch or os/arch/variant, e.g. linux/arm64");
        }
        return new Platform(p[0], normaliseArch(p[1]), p.length == 3 ? p[2] : null);
    }

    static Platform host() {
        return new Platform("linux", Documents.hostArchitecture(), null);
    }

    /** Docker's aliases: x86_64 is amd64, aarch64 is arm64. */
    static String normaliseArch(String a) {
        return switch (a) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    boolean matches(Descriptor.Platform p) {
        if (p == null || !os.equals(p.os) || p.architecture == null || !architecture.equals(normaliseArch(p.architecture))) return false;
        return variant == null || variant.equals(p.variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}

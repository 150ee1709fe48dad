package io.cgroovy.runtime.fs;

/** One line of {@code docker diff}: A(dded), C(hanged) or D(eleted), and the container path. */
public record Change(Kind kind, String path) {
    public enum Kind { A, C, D }

    @Override
    public String toString() {
        return kind + " " + path;
    }
}

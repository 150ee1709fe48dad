package io.cgroovy.runtime.build;

import java.util.List;
import java.util.Map;

/**
 * One step of an image build, the same whether it came from the Groovy {@code image(...) { }}
 * words or from a Dockerfile line. {@code where} names the source line for errors ("Dockerfile:7").
 */
public sealed interface BuildStep {
    String where();

    /** The step as the history and the build log show it ("RUN /bin/sh -c mkdir /www"). */
    String describe();

    /** RUN: argv already in exec form (shell form was wrapped in the stage's SHELL). */
    record Run(String where, List<String> argv, String shown) implements BuildStep {
        public String describe() { return "RUN " + shown; }
    }

    /**
     * COPY and ADD: sources relative to the build context (or absolute paths in the image of
     * stage/image {@code from}), destination in the image (relative: below WORKDIR).
     */
    record Copy(String where, List<String> sources, String dest, String from, String chown, boolean add) implements BuildStep {
        public String describe() {
            return (add ? "ADD " : "COPY ") + (from != null ? "--from=" + from + " " : "") + (chown != null ? "--chown=" + chown + " " : "")
                    + String.join(" ", sources) + " " + dest;
        }
    }

    /** ENV, LABEL: ordered key/values. */
    record Env(String where, Map<String, String> vars) implements BuildStep {
        public String describe() { return "ENV " + pairs(vars); }
    }

    record Label(String where, Map<String, String> labels) implements BuildStep {
        public String describe() { return "LABEL " + pairs(labels); }
    }

    record Workdir(String where, String path) implements BuildStep {
        public String describe() { return "WORKDIR " + path; }
    }

    record User(String where, String user) implements BuildStep {
        public String describe() { return "USER " + user; }
    }

    /** EXPOSE: "80", "53/udp". */
    record Expose(String where, List<String> ports) implements BuildStep {
        public String describe() { return "EXPOSE " + String.join(" ", ports); }
    }

    record Volume(String where, List<String> paths) implements BuildStep {
        public String describe() { return "VOLUME " + paths; }
    }

    record Entrypoint(String where, List<String> argv) implements BuildStep {
        public String describe() { return "ENTRYPOINT " + argv; }
    }

    record Cmd(String where, List<String> argv) implements BuildStep {
        public String describe() { return "CMD " + argv; }
    }

    record Shell(String where, List<String> argv) implements BuildStep {
        public String describe() { return "SHELL " + argv; }
    }

    /** ARG: declares a build argument (its value reaches RUN steps as an environment variable). */
    record Arg(String where, String name, String value) implements BuildStep {
        public String describe() { return "ARG " + name + (value != null ? "=" + value : ""); }
    }

    private static String pairs(Map<String, String> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() > 0 ? " " : "").append(k).append('=').append(v));
        return b.toString();
    }
}

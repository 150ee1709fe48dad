package io.cgroovy.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A seccomp profile in Docker's JSON format ({@code docker run --security-opt seccomp=FILE}):
 * defaultAction, archMap or architectures, and syscall rules whose {@code includes}/{@code excludes}
 * name capabilities, architectures and a minimum kernel. {@link #resolve} turns it into the OCI
 * {@code linux.seccomp} of one container, the way Docker does: a rule is kept when the container
 * has every capability it includes and none it excludes, runs on an architecture it includes
 * (or does not exclude), and the kernel is at least its minKernel.
 *
 * <p>The built-in {@link #dockerDefault()} is Docker's default profile (moby/profiles
 * {@code seccomp/default.json}): default ERRNO(EPERM), an allow-list, capability-gated rules,
 * clone without namespace flags, clone3 answering ENOSYS unless CAP_SYS_ADMIN.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class SeccompProfile {
    @JsonProperty("defaultAction") public String defaultAction;
    @JsonProperty("defaultErrnoRet") public Long defaultErrnoRet;
    @JsonProperty("architectures") public List<String> architectures;
    @JsonProperty("archMap") public List<ArchMap> archMap;
    @JsonProperty("syscalls") public List<Rule> syscalls;

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class ArchMap {
        @JsonProperty("architecture") public String architecture;
        @JsonProperty("subArchitectures") public List<String> subArchitectures;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Filter {
        @JsonProperty("caps") public List<String> caps;
        @JsonProperty("arches") public List<String> arches;
        @JsonProperty("minKernel") public String minKernel;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Rule {
        @JsonProperty("name") public String name;
        @JsonProperty("names") public List<String> names;
        @JsonProperty("action") public String action;
        @JsonProperty("errnoRet") public Long errnoRet;
        @JsonProperty("args") public List<RuntimeSpec.SyscallArg> args;
        @JsonProperty("includes") public Filter includes;
        @JsonProperty("excludes") public Filter excludes;
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static volatile SeccompProfile dockerDefault;

    /** Docker's default profile, shipped in the jar. */
    public static SeccompProfile dockerDefault() {
        if (dockerDefault == null) {
            try (InputStream in = SeccompProfile.class.getResourceAsStream("/io/cgroovy/runtime/security/docker-default-seccomp.json")) {
                if (in == null) throw new ContainerException("seccomp: the default profile is missing from the build");
                dockerDefault = JSON.readValue(in, SeccompProfile.class);
            } catch (IOException e) {
                throw new ContainerException("seccomp: cannot read the default profile: " + e.getMessage(), e);
            }
        }
        return dockerDefault;
    }

    /** Reads a profile file in Docker's (or the OCI linux.seccomp) JSON format; a clear error when it is not one. */
    public static SeccompProfile read(Path file) {
        SeccompProfile p;
        try {
            p = JSON.readValue(Files.readAllBytes(file), SeccompProfile.class);
        } catch (NoSuchFileException e) {
            throw new ContainerException("seccomp profile " + file + " does not exist");
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new ContainerException("seccomp profile " + file + " is not valid JSON: " + m);
        }
        if (p == null || p.defaultAction == null || p.defaultAction.isBlank()) {
            throw new ContainerException("seccomp profile " + file + " has no defaultAction");
        }
        if (p.syscalls != null) {
            for (Rule r : p.syscalls) {
                if (r.action == null) throw new ContainerException("seccomp profile " + file + ": a syscall rule has no action");
                if ((r.names == null || r.names.isEmpty()) && r.name == null) {
                    throw new ContainerException("seccomp profile " + file + ": a syscall rule names no syscall");
                }
            }
        }
        return p;
    }

    /** "SCMP_ARCH_X86_64" / "amd64" of the JVM's architecture. */
    static String[] arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "aarch64", "arm64" -> new String[]{"SCMP_ARCH_AARCH64", "arm64"};
            default -> new String[]{"SCMP_ARCH_X86_64", "amd64"};
        };
    }

    /** The running kernel's "major.minor", e.g. [6, 1]. */
    static int[] kernel() {
        return version(System.getProperty("os.version"));
    }

    static int[] version(String v) {
        String[] f = v.split("[.-]");
        int[] out = new int[2];
        for (int i = 0; i < 2 && i < f.length; i++) {
            try {
                out[i] = Integer.parseInt(f[i].replaceAll("[^0-9].*", ""));
            } catch (NumberFormatException e) {
                out[i] = 0;
            }
        }
        return out;
    }

    /** The OCI filter for a container with the given capability set, on this machine's architecture and kernel. */
    public RuntimeSpec.Seccomp resolve(List<String> caps) {
        String[] a = arch();
        return resolve(caps, a[0], a[1], kernel());
    }

    /** As above for a named architecture (OCI and Go spellings) and kernel version. */
    public RuntimeSpec.Seccomp resolve(List<String> caps, String scmpArch, String goArch, int[] kernel) {
        RuntimeSpec.Seccomp sc = new RuntimeSpec.Seccomp();
        sc.defaultAction = defaultAction;
        sc.defaultErrnoRet = defaultErrnoRet;
        List<String> arches = new ArrayList<>();
        if (archMap != null) {
            for (ArchMap m : archMap) {
                if (scmpArch.equals(m.architecture)) {
                    arches.add(m.architecture);
                    if (m.subArchitectures != null) arches.addAll(m.subArchitectures);
                }
            }
        } else if (architectures != null) {
            arches.addAll(architectures);
        }
        sc.architectures = arches.isEmpty() ? null : arches;
        if (syscalls == null) return sc;
        for (Rule r : syscalls) {
            if (!applies(r, caps, goArch, kernel)) continue;
            List<String> names = r.names != null && !r.names.isEmpty() ? r.names : List.of(r.name);
            sc.syscalls.add(new RuntimeSpec.Syscall(new ArrayList<>(names), r.action, r.errnoRet,
                    r.args == null || r.args.isEmpty() ? null : r.args));
        }
        return sc;
    }

    private static boolean applies(Rule r, List<String> caps, String goArch, int[] kernel) {
        if (r.excludes != null) {
            if (r.excludes.caps != null && r.excludes.caps.stream().anyMatch(c -> hasCap(caps, c))) return false;
            if (r.excludes.arches != null && r.excludes.arches.contains(goArch)) return false;
        }
        if (r.includes != null) {
            if (r.includes.caps != null && !r.includes.caps.stream().allMatch(c -> hasCap(caps, c))) return false;
            if (r.includes.arches != null && !r.includes.arches.isEmpty() && !r.includes.arches.contains(goArch)) return false;
            if (r.includes.minKernel != null && !r.includes.minKernel.isBlank()) {
                int[] min = version(r.includes.minKernel);
                if (kernel[0] < min[0] || (kernel[0] == min[0] && kernel[1] < min[1])) return false;
            }
        }
        return true;
    }

    private static boolean hasCap(List<String> caps, String cap) {
        String c = cap.toUpperCase().startsWith("CAP_") ? cap.toUpperCase() : "CAP_" + cap.toUpperCase();
        return caps != null && caps.contains(c);
    }
}

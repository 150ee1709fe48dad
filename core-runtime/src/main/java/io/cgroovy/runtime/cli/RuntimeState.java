package io.cgroovy.runtime.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * What the runtime command keeps of one container under {@code <root>/<id>/state.json}; {@link #oci}
 * is the document {@code state} prints, the same fields as runc's.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
final class RuntimeState {
    static final ObjectMapper JSON = new ObjectMapper();

    @JsonProperty public String id;
    @JsonProperty public long pid;
    /** the pid's start time (field 22 of /proc/PID/stat), so a reused pid is not taken for the container */
    @JsonProperty public long pidStart;
    @JsonProperty public String bundle;
    @JsonProperty public String rootfs;
    @JsonProperty public String created;
    @JsonProperty public String cgroupParent;
    @JsonProperty public String cgroupName;
    @JsonProperty public Map<String, String> annotations;

    /** The OCI state: ociVersion, id, status, pid, bundle, rootfs, created, owner, annotations. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Oci(@JsonProperty("ociVersion") String ociVersion, @JsonProperty("id") String id, @JsonProperty("pid") long pid,
               @JsonProperty("status") String status, @JsonProperty("bundle") String bundle, @JsonProperty("rootfs") String rootfs,
               @JsonProperty("created") String created, @JsonProperty("owner") String owner,
               @JsonProperty("annotations") Map<String, String> annotations) {}

    static Path dir(Path root, String id) { return root.resolve(id); }

    static RuntimeState read(Path root, String id) {
        try {
            return JSON.readValue(dir(root, id).resolve("state.json").toFile(), RuntimeState.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ContainerException("container \"" + id + "\" does not exist");
        } catch (IOException e) {
            throw new ContainerException("cannot read the state of container " + id + ": " + e.getMessage(), e);
        }
    }

    void write(Path root) {
        Path d = dir(root, id);
        try {
            Path tmp = d.resolve("state.json.tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, d.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write the state of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** "created" (waiting for start), "running", "paused" or "stopped", as runc says. */
    String status(Path root, boolean frozen) {
        if (!alive()) return "stopped";
        if (Files.exists(dir(root, id).resolve("exec.fifo"))) return "created";
        return frozen ? "paused" : "running";
    }

    boolean alive() {
        if (pid <= 0) return false;
        long[] st = stat(pid);
        return st != null && st[1] == pidStart && st[0] != 'Z' && st[0] != 'X';
    }

    /** {state char, start time} of a process, or null when it is gone. */
    static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[]{f[0].charAt(0), Long.parseLong(f[19])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

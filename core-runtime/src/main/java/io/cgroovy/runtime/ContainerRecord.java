package io.cgroovy.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cgroovy.runtime.cgroup.Resources;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * The two JSON files of a detached container directory: {@code container.json}, what the engine
 * wrote when it created the container (never changed after), and {@code state.json}, what its
 * monitor wrote last (the engine writes it only when no monitor runs: before the first start and
 * when it finds a monitor dead). Both are replaced atomically (temp file, fsync, rename).
 */
final class ContainerRecord {
    static final String FILE = "container.json";
    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** container.json */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Config {
        public String id;
        public String name;
        public String image;
        public List<String> command;
        public String created;
        public boolean tty;
        public boolean interactive;
        public String restart;
        public Resources resources;
        public java.util.Map<String, String> labels;
        // how it was made, for diff, cp and commit (records written before these were added lack them)
        /** The config digest of the image it runs (the tag may move later). */
        public String imageId;
        /** The command the user gave (empty: the image's), without the entrypoint. */
        public List<String> cmd;
        /** The entrypoint the user gave (null: the image's). */
        public List<String> entrypoint;
        public java.util.Map<String, String> env;
        public String workdir;
        public String user;
        /** The health check its monitor runs (the image's merged in), or null. */
        public HealthConfig health;
    }

    /** container.json's health check: the test and its timing in milliseconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class HealthConfig {
        public List<String> test;
        public long intervalMs;
        public long timeoutMs;
        public long startPeriodMs;
        public int retries;
    }

    /** state.json (written by the monitor in C, same fields). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class State {
        public String status = "created";
        public long pid;
        public long monitorPid;
        public int exitCode;
        public boolean oomKilled;
        public int restartCount;
        public String startedAt = "";
        public String finishedAt = "";
        public String error = "";
    }

    private ContainerRecord() {}

    static Config readConfig(Path dir) {
        try {
            return JSON.readValue(dir.resolve(FILE).toFile(), Config.class);
        } catch (IOException e) {
            throw new ContainerException("cannot read " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    static State readState(Path dir) {
        Path f = dir.resolve(STATE);
        try {
            return Files.exists(f) ? JSON.readValue(f.toFile(), State.class) : new State();
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    static void write(Path dir, String name, Object value) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".java.tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(value)));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}

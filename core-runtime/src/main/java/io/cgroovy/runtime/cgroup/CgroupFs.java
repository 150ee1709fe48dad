package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** File-level cgroupfs operations shared by v1 and v2: one write per value, errno text in every message. */
final class CgroupFs {
    /** How long close() waits for killed processes to leave and for rmdir to stop failing with EBUSY. */
    static final long KILL_TIMEOUT_MS = 10_000;
    static final long RMDIR_RETRY_MS = 3_000;

    private CgroupFs() {}

    /** The errno text of an I/O failure ("Invalid argument", "Device or resource busy"...). */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof FileAlreadyExistsException) return "File exists";
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Writes {@code value} to a cgroup file in one write(2); failure names the controller, file, value and errno. */
    static void write(String controller, Path file, String value) {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ContainerException("cgroup " + controller + ": cannot write '" + value + "' to " + file + ": " + reason(e), e);
        }
    }

    /** Reads a cgroup file, trimmed. */
    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new ContainerException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** Reads a cgroup file holding one number or "max" (null). */
    static Long readLimit(Path file) {
        String s = read(file);
        if (s.equals("max")) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ContainerException("unexpected content '" + s + "' in " + file);
        }
    }

    static long readLong(Path file) {
        Long v = readLimit(file);
        if (v == null) throw new ContainerException("unexpected content 'max' in " + file);
        return v;
    }

    /** Reads a flat-keyed file ("key value" per line: memory.events, cpu.stat, memory.oom_control). */
    static Map<String, Long> readKeyed(Path file) {
        Map<String, Long> m = new HashMap<>();
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    m.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException ignored) {
                    // not a number (e.g. "max" in pids.events): not needed
                }
            }
        }
        return m;
    }

    /** Creates one cgroup directory; it must not exist yet. */
    static void mkdir(String what, Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("cgroup " + what + " already exists: " + dir
                    + " (a container with this id is running, or a stale one was not cleaned up)", e);
        } catch (IOException e) {
            throw new ContainerException("cannot create cgroup " + dir + ": " + reason(e), e);
        }
    }

    /** Creates a directory if missing (parents shared by concurrent engines: EEXIST is fine). Returns true if created. */
    static boolean mkdirIfMissing(Path dir) {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new ContainerException("cannot create cgroup " + dir + ": " + reason(e), e);
        }
    }

    static List<Long> procs(Path dir) {
        Path f = dir.resolve("cgroup.procs");
        String s;
        try {
            s = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + ": " + reason(e), e);
        }
        List<Long> out = new ArrayList<>();
        for (String line : s.split("\n")) {
            if (!line.isBlank()) out.add(Long.parseLong(line.trim()));
        }
        return out;
    }

    /** Sub-cgroups of {@code dir}, deepest first, then {@code dir} itself. */
    static List<Path> subtreeDepthFirst(Path dir) {
        List<Path> out = new ArrayList<>();
        collect(dir, out);
        return out;
    }

    private static void collect(Path dir, List<Path> out) {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : ds) collect(child, out);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new ContainerException("cannot list cgroup " + dir + ": " + reason(e), e);
        }
        out.add(dir);
    }

    /** Names of the sub-directories of {@code dir} (empty if it does not exist). */
    static List<String> childNames(Path dir) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : ds) out.add(child.getFileName().toString());
        } catch (IOException e) {
            throw new ContainerException("cannot list cgroup " + dir + ": " + reason(e), e);
        }
        out.sort(null);
        return out;
    }

    /** SIGKILLs every process in the subtree of each dir until all are empty (never this JVM). */
    static void killAll(List<Path> dirs) {
        long self = ProcessHandle.current().pid();
        long deadline = System.currentTimeMillis() + KILL_TIMEOUT_MS;
        while (true) {
            List<Long> left = new ArrayList<>();
            for (Path top : dirs) {
                for (Path d : subtreeDepthFirst(top)) left.addAll(procs(d));
            }
            if (left.isEmpty()) return;
            if (left.contains(self)) {
                throw new ContainerException("refusing to kill the engine itself: pid " + self + " is in cgroup " + dirs);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new ContainerException("processes " + left + " did not leave cgroup " + dirs + " within "
                        + KILL_TIMEOUT_MS / 1000 + "s of SIGKILL");
            }
            for (long pid : left) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            sleep(5);
        }
    }

    /** rmdir of the subtree, deepest first, retrying EBUSY (normal right after the last process exits). */
    static void removeTree(Path dir) {
        for (Path d : subtreeDepthFirst(dir)) rmdir(d);
    }

    static void rmdir(Path d) {
        long deadline = System.currentTimeMillis() + RMDIR_RETRY_MS;
        while (true) {
            try {
                Files.delete(d);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new ContainerException("cannot remove cgroup " + d + ": " + reason(e), e);
                }
                sleep(10);
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for a cgroup to empty", e);
        }
    }

    /** Validates a parent given as a relative path ("cgroovy", "a/b"); a leading '/' is dropped. */
    static String checkParent(String parent) {
        String p = parent == null ? "" : parent.strip();
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.isEmpty()) throw new ContainerException("invalid cgroup parent '" + parent + "': it is empty");
        for (String seg : p.split("/")) {
            if (!seg.matches("[A-Za-z0-9_.@:-]+") || seg.equals(".") || seg.equals("..")) {
                throw new ContainerException("invalid cgroup parent '" + parent + "': segment '" + seg
                        + "' (use letters, digits, '_', '.', '-', separated by '/')");
            }
        }
        return p;
    }

    /** Removes a (relative) parent path bottom-up; directories still in use by others stay. */
    static void removeParentPath(Path root, String parent) {
        Path p = root.resolve(parent);
        rmdir(p); // the parent itself must go (its container cgroups were removed before)
        p = p.getParent();
        while (p != null && !p.equals(root) && p.startsWith(root)) {
            try {
                Files.delete(p);
            } catch (NoSuchFileException e) {
                // already gone
            } catch (IOException e) {
                return; // not empty / busy: another engine or cgroup lives there
            }
            p = p.getParent();
        }
    }
}

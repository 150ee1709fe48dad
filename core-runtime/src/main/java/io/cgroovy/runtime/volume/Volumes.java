package io.cgroovy.runtime.volume;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Named and anonymous volumes of one state root, laid out as Docker does:
 * {@code volumes/<name>/_data} is what containers see. A volume lives until it is removed;
 * a volume a container (running or kept) names cannot be removed.
 */
public final class Volumes {
    /** Docker's rule for volume names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    /** Anonymous volumes are named by 64 hex digits, like Docker's. */
    static final Pattern ANONYMOUS = Pattern.compile("[0-9a-f]{64}");
    /** The file in a container directory listing the volumes it uses, one name a line. */
    public static final String USED_FILE = "volumes";
    /** The file in a container directory listing its anonymous volumes (removed with the container). */
    public static final String ANONYMOUS_FILE = "anonymous-volumes";

    private final Path dir;
    private final Path containers;

    public Volumes(Path root) {
        this.dir = root.resolve("volumes");
        this.containers = root.resolve("containers");
    }

    /** Checks a user-given volume name. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ContainerException("invalid volume name '" + name + "' (at least 2 of letters, digits, '_', '.', '-'; first a letter or digit)");
        }
        return name;
    }

    /** The directory containers see of volume {@code name}, made (mode 0755) when missing. */
    public Path create(String name) {
        checkName(name);
        Path data = dir.resolve(name).resolve("_data");
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(data);
                Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new ContainerException("cannot create volume " + name + ": " + e.getMessage(), e);
        }
        return data;
    }

    /** True when volume {@code name} exists. */
    public boolean exists(String name) {
        return Files.isDirectory(dir.resolve(name).resolve("_data"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Where volume {@code name} keeps its data ("no such volume: X" when it does not exist). */
    public Path path(String name) {
        checkName(name);
        if (!exists(name)) throw new ContainerException("no such volume: " + name);
        return dir.resolve(name).resolve("_data");
    }

    /** The names of all volumes, sorted (anonymous ones included, as docker volume ls shows them). */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (NAME.matcher(n).matches() && Files.isDirectory(p.resolve("_data"), LinkOption.NOFOLLOW_LINKS)) out.add(n);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot list volumes in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** Removes a volume and its data; refused while a container uses it. */
    public void remove(String name) {
        checkName(name);
        if (!exists(name)) throw new ContainerException("no such volume: " + name);
        String user = userOf(name);
        if (user != null) throw new ContainerException("volume " + name + " is in use by container " + user.substring(0, 12));
        removeQuietly(name);
    }

    /** Removes a volume without asking who uses it (an anonymous volume of a container being removed). */
    public void removeQuietly(String name) {
        Path v = dir.resolve(checkName(name));
        if (!Files.exists(v, LinkOption.NOFOLLOW_LINKS)) return;
        io.cgroovy.runtime.Engine.removeTreeOnOneFs(v);
    }

    /** The id of a container whose directory names the volume, or null. */
    private String userOf(String name) {
        if (!Files.isDirectory(containers)) return null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(containers)) {
            for (Path c : ds) {
                Path f = c.resolve(USED_FILE);
                if (Files.isRegularFile(f) && Files.readAllLines(f).contains(name)) return c.getFileName().toString();
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + containers + ": " + e.getMessage(), e);
        }
        return null;
    }
}

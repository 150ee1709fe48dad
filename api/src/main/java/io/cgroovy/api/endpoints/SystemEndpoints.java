package io.cgroovy.api.endpoints;

import io.cgroovy.api.ApiVersion;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /_ping}, {@code /version}, {@code /info}: what clients ask before anything else. */
public final class SystemEndpoints {
    private final Engine engine;

    public SystemEndpoints(Engine engine) {
        this.engine = engine;
    }

    public void register(Router r) {
        r.on("GET", "/_ping", (req, res) -> res.header("Cache-Control", "no-cache, no-store, must-revalidate")
                .header("Pragma", "no-cache").text(200, "OK"));
        r.on("GET", "/version", (req, res) -> res.json(200, version()));
        r.on("GET", "/info", (req, res) -> res.json(200, info()));
    }

    private Map<String, Object> version() {
        Map<String, Object> engineComponent = new LinkedHashMap<>();
        engineComponent.put("Name", "Engine");
        engineComponent.put("Version", ApiVersion.ENGINE);
        engineComponent.put("Details", Map.of("ApiVersion", ApiVersion.CURRENT, "MinAPIVersion", ApiVersion.MIN,
                "Os", "linux", "Arch", arch(), "KernelVersion", kernel()));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Platform", Map.of("Name", "cgroovy"));
        v.put("Components", List.of(engineComponent));
        v.put("Version", ApiVersion.ENGINE);
        v.put("ApiVersion", ApiVersion.CURRENT);
        v.put("MinAPIVersion", ApiVersion.MIN);
        v.put("GitCommit", "");
        v.put("GoVersion", "java" + System.getProperty("java.version"));
        v.put("Os", "linux");
        v.put("Arch", arch());
        v.put("KernelVersion", kernel());
        v.put("BuildTime", "");
        return v;
    }

    private Map<String, Object> info() {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("ID", "cgroovy");
        i.put("Containers", engine.ps(true).size());
        i.put("ContainersRunning", engine.ps(false).size());
        i.put("ContainersPaused", 0);
        i.put("ContainersStopped", 0);
        i.put("Images", engine.images().list().size());
        i.put("Driver", "overlay");
        i.put("DockerRootDir", engine.root().toString());
        i.put("CgroupDriver", "cgroupfs");
        i.put("CgroupVersion", engine.cgroups().version());
        i.put("KernelVersion", kernel());
        i.put("OperatingSystem", operatingSystem());
        i.put("OSType", "linux");
        i.put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
        i.put("NCPU", Runtime.getRuntime().availableProcessors());
        i.put("MemTotal", memTotal());
        i.put("Name", hostname());
        i.put("ServerVersion", ApiVersion.ENGINE);
        i.put("SecurityOptions", List.of("name=seccomp,profile=builtin", "name=no-new-privileges"));
        i.put("Runtimes", Map.of("cgroovy", Map.of("path", "cgroovy-executor")));
        i.put("DefaultRuntime", "cgroovy");
        i.put("Plugins", Map.of("Volume", List.of(), "Network", List.of(), "Log", List.of("json-file")));
        i.put("Warnings", List.of());
        return i;
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    static String kernel() {
        return readFirstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown");
    }

    private static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) return line.substring(12).replace("\"", "");
            }
        } catch (IOException ignored) {
            // not every host has it
        }
        return "linux";
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // unknown
        }
        return 0;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return readFirstLine(Path.of("/proc/sys/kernel/hostname"), "localhost");
        }
    }

    private static String readFirstLine(Path p, String dflt) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return dflt;
        }
    }
}

package io.cgroovy.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime-spec {@code config.json} (version 1.0.2), the parts cgroovy writes.
 * Field names are those of the spec; unknown fields are ignored when read.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {
    public static final String OCI_VERSION = "1.0.2";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonProperty("ociVersion") public String ociVersion = OCI_VERSION;
    @JsonProperty("process") public Process process = new Process();
    @JsonProperty("root") public Root root = new Root();
    @JsonProperty("hostname") public String hostname;
    @JsonProperty("mounts") public List<Mount> mounts = new ArrayList<>();
    @JsonProperty("annotations") public Map<String, String> annotations;
    @JsonProperty("linux") public Linux linux = new Linux();

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Process {
        @JsonProperty("terminal") public boolean terminal;
        @JsonProperty("user") public User user = new User();
        @JsonProperty("args") public List<String> args = new ArrayList<>();
        @JsonProperty("env") public List<String> env = new ArrayList<>();
        @JsonProperty("cwd") public String cwd = "/";
        @JsonProperty("capabilities") public Capabilities capabilities;
        @JsonProperty("rlimits") public List<Rlimit> rlimits = new ArrayList<>();
        @JsonProperty("noNewPrivileges") public boolean noNewPrivileges;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class User {
        @JsonProperty("uid") public long uid;
        @JsonProperty("gid") public long gid;
        @JsonProperty("additionalGids") public List<Long> additionalGids;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Capabilities {
        @JsonProperty("bounding") public List<String> bounding = new ArrayList<>();
        @JsonProperty("effective") public List<String> effective = new ArrayList<>();
        @JsonProperty("inheritable") public List<String> inheritable = new ArrayList<>();
        @JsonProperty("permitted") public List<String> permitted = new ArrayList<>();
        @JsonProperty("ambient") public List<String> ambient = new ArrayList<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Rlimit {
        @JsonProperty("type") public String type;
        @JsonProperty("hard") public long hard;
        @JsonProperty("soft") public long soft;

        public Rlimit() {}
        public Rlimit(String type, long soft, long hard) { this.type = type; this.soft = soft; this.hard = hard; }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Root {
        @JsonProperty("path") public String path = "rootfs";
        @JsonProperty("readonly") public boolean readonly;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Mount {
        @JsonProperty("destination") public String destination;
        @JsonProperty("type") public String type;
        @JsonProperty("source") public String source;
        @JsonProperty("options") public List<String> options;

        public Mount() {}
        public Mount(String destination, String type, String source, List<String> options) {
            this.destination = destination; this.type = type; this.source = source; this.options = options;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Linux {
        @JsonProperty("namespaces") public List<Namespace> namespaces = new ArrayList<>();
        @JsonProperty("resources") public Resources resources;
        @JsonProperty("cgroupsPath") public String cgroupsPath;
        @JsonProperty("maskedPaths") public List<String> maskedPaths = new ArrayList<>();
        @JsonProperty("readonlyPaths") public List<String> readonlyPaths = new ArrayList<>();
        @JsonProperty("devices") public List<Device> devices;
        @JsonProperty("seccomp") public Seccomp seccomp;
        @JsonProperty("uidMappings") public List<IdMapping> uidMappings;
        @JsonProperty("gidMappings") public List<IdMapping> gidMappings;
        /** Namespaced kernel parameters ("net.ipv4.ip_unprivileged_port_start" → "0"), written under /proc/sys. */
        @JsonProperty("sysctl") public Map<String, String> sysctl;
    }

    /** linux.seccomp: a syscall filter as the OCI spec writes it (libseccomp action and operator names). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Seccomp {
        @JsonProperty("defaultAction") public String defaultAction;
        @JsonProperty("defaultErrnoRet") public Long defaultErrnoRet;
        @JsonProperty("architectures") public List<String> architectures;
        @JsonProperty("syscalls") public List<Syscall> syscalls = new ArrayList<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Syscall {
        @JsonProperty("names") public List<String> names;
        @JsonProperty("action") public String action;
        @JsonProperty("errnoRet") public Long errnoRet;
        @JsonProperty("args") public List<SyscallArg> args;

        public Syscall() {}
        public Syscall(List<String> names, String action, Long errnoRet, List<SyscallArg> args) {
            this.names = names; this.action = action; this.errnoRet = errnoRet; this.args = args;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SyscallArg {
        @JsonProperty("index") public int index;
        @JsonProperty("value") public long value;
        @JsonProperty("valueTwo") public long valueTwo;
        @JsonProperty("op") public String op;

        public SyscallArg() {}
        public SyscallArg(int index, long value, long valueTwo, String op) {
            this.index = index; this.value = value; this.valueTwo = valueTwo; this.op = op;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Namespace {
        @JsonProperty("type") public String type;
        @JsonProperty("path") public String path;

        public Namespace() {}
        public Namespace(String type) { this.type = type; }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Resources {
        @JsonProperty("devices") public List<DeviceRule> devices;
        @JsonProperty("memory") public Memory memory;
        @JsonProperty("cpu") public Cpu cpu;
        @JsonProperty("pids") public Pids pids;
        @JsonProperty("blockIO") public BlockIO blockIO;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class BlockIO {
        @JsonProperty("weight") public Integer weight;
        @JsonProperty("throttleReadBpsDevice") public List<ThrottleDevice> throttleReadBpsDevice;
        @JsonProperty("throttleWriteBpsDevice") public List<ThrottleDevice> throttleWriteBpsDevice;
        @JsonProperty("throttleReadIOPSDevice") public List<ThrottleDevice> throttleReadIOPSDevice;
        @JsonProperty("throttleWriteIOPSDevice") public List<ThrottleDevice> throttleWriteIOPSDevice;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class ThrottleDevice {
        @JsonProperty("major") public long major;
        @JsonProperty("minor") public long minor;
        @JsonProperty("rate") public long rate;

        public ThrottleDevice() {}
        public ThrottleDevice(long major, long minor, long rate) { this.major = major; this.minor = minor; this.rate = rate; }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DeviceRule {
        @JsonProperty("allow") public boolean allow;
        @JsonProperty("type") public String type;
        @JsonProperty("major") public Long major;
        @JsonProperty("minor") public Long minor;
        @JsonProperty("access") public String access;

        public DeviceRule() {}
        public DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
            this.allow = allow; this.type = type; this.major = major; this.minor = minor; this.access = access;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Memory {
        @JsonProperty("limit") public Long limit;
        @JsonProperty("swap") public Long swap;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Cpu {
        @JsonProperty("shares") public Long shares;
        @JsonProperty("quota") public Long quota;
        @JsonProperty("period") public Long period;
        @JsonProperty("cpus") public String cpus;
        @JsonProperty("mems") public String mems;
    }

    /** linux.uidMappings / gidMappings: container ids containerID.. are host ids hostID.. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class IdMapping {
        @JsonProperty("containerID") public long containerID;
        @JsonProperty("hostID") public long hostID;
        @JsonProperty("size") public long size;

        public IdMapping() {}
        public IdMapping(long containerID, long hostID, long size) { this.containerID = containerID; this.hostID = hostID; this.size = size; }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Pids {
        @JsonProperty("limit") public long limit;
    }

    /** An extra device node (linux.devices); the default ones are made by the runtime itself. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Device {
        @JsonProperty("path") public String path;
        @JsonProperty("type") public String type;
        @JsonProperty("major") public long major;
        @JsonProperty("minor") public long minor;
        @JsonProperty("fileMode") public Integer fileMode;
        @JsonProperty("uid") public Long uid;
        @JsonProperty("gid") public Long gid;
    }

    /** Writes the document atomically (temp file + rename). */
    public void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + file + ": " + e.getMessage(), e);
        }
    }

    public static RuntimeSpec read(Path file) {
        try {
            return JSON.readValue(file.toFile(), RuntimeSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

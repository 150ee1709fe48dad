package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerException
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.MountSpec
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.Healthcheck
import io.cgroovy.runtime.RestartPolicy
import io.cgroovy.runtime.Networking
import io.cgroovy.runtime.net.PublishedPort
import io.cgroovy.runtime.Security
import io.cgroovy.runtime.cgroup.Resources
import io.cgroovy.runtime.plan.Linux

import java.util.regex.Pattern

/**
 * The words of a {@code container(image) { ... }} closure. A mutable builder: each word only
 * records what was written (and where); {@link #settings} checks everything in one place and
 * returns the immutable {@link ContainerSettings}. Nothing here touches the engine.
 */
@CompileStatic
@WordScope('container')
class ContainerSpec {
    /** Every word of this closure, for "did you mean" and for {@code container(name: 'x', ...)} options. */
    public static final List<String> WORDS = Words.names('container')
    private static final Pattern CPU_LIST = ~/\d+(-\d+)?(,\d+(-\d+)?)*/

    private static final Pattern NAME = ~/[a-zA-Z0-9][a-zA-Z0-9_.-]+/
    private static final Pattern HOSTNAME = ~/[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?/
    private static final Pattern ENV_KEY = ~/[^=\s]+/
    private static final long MIN_MEMORY = 6L * 1024 * 1024   // Docker's minimum, below it the kernel kills at once
    private static final double MIN_CPUS = 0.01                // quota 1000us: the kernel's smallest CFS quota

    /** One written value and the stack of the call that wrote it. */
    @CompileStatic
    private static final class Written {
        final Object value
        final StackTraceElement[] where
        Written(Object value, StackTraceElement[] where) { this.value = value; this.where = where }
    }

    private final Map<String, Written> written = [:]
    private final Map<String, Written> envWritten = new LinkedHashMap<>()
    /** Mounts in the order written: [type, source, destination, options] each. */
    private final List<Written> mountsWritten = []
    private final Map<String, Written> labelsWritten = new LinkedHashMap<>()
    private final int hostCpus
    /** The script the closure was written in: names it knows (methods, variables) are not settings. */
    private Object script
    /** True once {@code run} (not {@code cmd}) was given. */
    boolean startRequested

    ContainerSpec() { this(Runtime.runtime.availableProcessors()) }

    ContainerSpec(int hostCpus) { this.hostCpus = hostCpus }

    // ---- the words ------------------------------------------------------------------------

    /** The platform to pull the image for when it is not in the store ("linux/arm64"); null: the host's. */
    @groovy.transform.PackageScope String platformWanted

    @Word(value = "Platform to pull the image for when it is missing, os/arch[/variant] (docker run --platform).", usage = "platform OS/ARCH", example = "platform 'linux/arm64'")
    void platform(String p) { platformWanted = p }

    /** Memory limit: a number of bytes or a size with a unit b, k, m, g ('512m', '1g'). */
    @Word(value = "The image to run, when container(...) was not given one (docker run IMAGE).", usage = "image REF", example = "image 'busybox:latest'")
    void image(Object ref) { put('image', ref) }

    @Word(value = "Memory limit: bytes or a size with a unit b, k, m, g (docker run --memory).", usage = "memory SIZE", example = "memory '512m'")
    void memory(Object size) { put('memory', size) }

    /** Memory plus swap, Docker's way: at least {@code memory}, or -1 for unlimited swap. */
    @Word(value = "Memory plus swap, at least memory; -1 for unlimited swap (--memory-swap).", usage = "memorySwap SIZE", example = "memorySwap '1g'")
    void memorySwap(Object size) { put('memorySwap', size) }

    /** CPUs as a fraction of one CPU (0.5) up to the host's CPU count. */
    @Word(value = "CPUs the container may use, a fraction of one CPU up to the host's count (--cpus).", usage = "cpus N", example = "cpus 0.5")
    void cpus(Object cpus) { put('cpus', cpus) }

    /** Relative CPU weight, Docker's scale 2..262144 (1024 = default). */
    @Word(value = "Relative CPU weight 2..262144, 1024 by default (--cpu-shares).", usage = "cpuShares N", example = "cpuShares 512")
    void cpuShares(Object shares) { put('cpuShares', shares) }

    /** Maximum number of processes (tasks) in the container. */
    @Word(value = "Maximum number of processes in the container (--pids-limit).", usage = "pids N", example = "pids 64")
    void pids(Object max) { put('pids', max) }

    /** CPUs the container may use, Docker's --cpuset-cpus: {@code cpuset '0-1'} or {@code cpuset '0,2'}. */
    @Word(value = "CPUs the container may run on, a list like 0-1 or 0,2 (--cpuset-cpus).", usage = "cpuset LIST", example = "cpuset '0-1'")
    void cpuset(Object cpus) { put('cpuset', cpus) }

    /** Memory nodes, Docker's --cpuset-mems: {@code cpusetMems '0'}. */
    @Word(value = "Memory nodes the container may use (--cpuset-mems).", usage = "cpusetMems LIST", example = "cpusetMems '0'")
    void cpusetMems(Object mems) { put('cpusetMems', mems) }

    /** Relative block I/O weight, Docker's --blkio-weight scale 10..1000 (v2: io.weight, converted as runc does). */
    @Word(value = "Relative block I/O weight 10..1000 (--blkio-weight; v2 io.weight).", usage = "blkioWeight N", example = "blkioWeight 300")
    void blkioWeight(Object weight) { put('blkioWeight', weight) }

    /** The same setting as {@link #blkioWeight} (Docker's 10..1000 scale), under its cgroup v2 name. */
    @Word(value = "Same as blkioWeight (10..1000), by its cgroup v2 name.", usage = "ioWeight N", example = "ioWeight 300")
    void ioWeight(Object weight) { put('ioWeight', weight) }

    /** Read bytes per second per device, Docker's --device-read-bps: {@code deviceReadBps '/dev/vda': '1m'}. */
    @Word(value = "Read bytes per second from a device (--device-read-bps).", usage = "deviceReadBps DEVICE: RATE", example = "deviceReadBps '/dev/vda': '1m'")
    void deviceReadBps(Map<?, ?> limits) { put('deviceReadBps', limits) }

    /** Write bytes per second per device, Docker's --device-write-bps. */
    @Word(value = "Write bytes per second to a device (--device-write-bps).", usage = "deviceWriteBps DEVICE: RATE", example = "deviceWriteBps '/dev/vda': '1m'")
    void deviceWriteBps(Map<?, ?> limits) { put('deviceWriteBps', limits) }

    /** Read operations per second per device, Docker's --device-read-iops. */
    @Word(value = "Read operations per second from a device (--device-read-iops).", usage = "deviceReadIops DEVICE: N", example = "deviceReadIops '/dev/vda': 100")
    void deviceReadIops(Map<?, ?> limits) { put('deviceReadIops', limits) }

    /** Write operations per second per device, Docker's --device-write-iops. */
    @Word(value = "Write operations per second to a device (--device-write-iops).", usage = "deviceWriteIops DEVICE: N", example = "deviceWriteIops '/dev/vda': 100")
    void deviceWriteIops(Map<?, ?> limits) { put('deviceWriteIops', limits) }

    /** Environment variables: {@code env FOO: 'bar', BAZ: 1}. */
    @Word(value = "Environment variables, added to or overriding the image's (-e).", usage = "env NAME: VALUE, ...", example = "env PORT: 8080, MODE: 'prod'")
    void env(Map<?, ?> vars) {
        StackTraceElement[] where = here()
        vars.each { k, v -> envWritten.put(String.valueOf(k), new Written(v, where)) }
    }

    /** One environment variable: {@code env 'FOO', 'bar'}. */
    void env(Object key, Object value) { envWritten.put(String.valueOf(key), new Written(value, here())) }

    @Word(value = "The container's hostname (-h); default: its short id.", usage = "hostname NAME", example = "hostname 'web'")
    void hostname(Object hostname) { put('hostname', hostname) }

    @Word(value = "Working directory of the command, absolute (-w); default: the image's.", usage = "workdir PATH", example = "workdir '/srv'")
    void workdir(Object dir) { put('workdir', dir) }

    /** "name", "uid" or "uid:gid" (names looked up in the image's /etc/passwd). */
    @Word(value = "User (and group) the command runs as: name, uid or uid:gid (-u).", usage = "user USER", example = "user 'nobody'")
    void user(Object user) { put('user', user) }

    @Word(value = "The container's name (--name); default: a generated one.", usage = "name NAME", example = "name 'web'")
    void name(Object name) { put('name', name) }

    /**
     * The command: one string runs through {@code /bin/sh -c} (Docker's shell form); several
     * arguments or a list are the argv itself (exec form).
     */
    @Word(value = "The command: one string runs through /bin/sh -c, several arguments are the argv.", usage = "run COMMAND", example = "run 'echo hello'")
    void run(Object... command) { put('command', command as List); startRequested = true }

    void run(List<?> command) { put('command', command); startRequested = true }

    /** Like {@link #run} but only sets the command (the container still runs when the closure ends). */
    @Word(value = "Sets the command like run (replacing the image's Cmd).", usage = "cmd COMMAND", example = "cmd 'httpd', '-f'")
    void cmd(Object... command) { put('command', command as List) }

    void cmd(List<?> command) { put('command', command) }

    /** A named volume (made on first use, kept until {@code rmVolume}): {@code volume 'data', '/data'}, option {@code readOnly: true}. */
    @Word(value = "A named volume, made on first use and kept until rmVolume; without a name an anonymous one that goes with the container.",
          usage = "volume [NAME,] PATH [, readOnly: true]", example = "volume 'data', '/data'")
    void volume(Map<String, ?> options, Object name, Object destination) { mount('volume', name, destination, options) }

    void volume(Object name, Object destination) { mount('volume', name, destination, [:]) }

    /** An anonymous volume ({@code docker run -v /data}): removed with the container. */
    void volume(Object destination) { mount('volume', null, destination, [:]) }

    /** A host directory or file: {@code bind '/host/dir', '/in/container', readOnly: true}. */
    @Word(value = 'A host file or directory mounted into the container.', usage = 'bind HOST_PATH, PATH [, readOnly: true]',
          example = "bind '/srv/site', '/www', readOnly: true")
    void bind(Map<String, ?> options, Object hostPath, Object destination) { mount('bind', hostPath, destination, options) }

    void bind(Object hostPath, Object destination) { mount('bind', hostPath, destination, [:]) }

    /** A tmpfs: {@code tmpfs '/tmp', size: '64m'}. */
    @Word(value = 'A tmpfs (memory-backed) mount.', usage = 'tmpfs PATH [, size: SIZE]', example = "tmpfs '/tmp', size: '64m'")
    void tmpfs(Map<String, ?> options, Object destination) { mount('tmpfs', null, destination, options) }

    void tmpfs(Object destination) { mount('tmpfs', null, destination, [:]) }

    /**
     * {@code keep true}: the container's filesystem stays after it ended (like {@code docker run}
     * without {@code --rm}), for {@code diff}, {@code copyOut}, {@code copyIn} and {@code commit},
     * until {@code c.rm()}. The default removes it at once.
     */
    @Word(value = 'Keep the filesystem after the container ends (docker run without --rm), for diff, copyIn, copyOut, commit; c.rm() removes it.',
          usage = 'keep true', example = 'keep true')
    void keep(Object keep) { put('keep', keep) }

    void keep() { put('keep', true) }

    /** Networks in the order written: [name, aliases] each; published ports; aliases for every user network. */
    private final List<Written> networksWritten = []
    private final List<Written> portsWritten = []
    private final List<String> aliasesWritten = []

    @Word(value = "A network to join (docker run --network): bridge (the default network), none (only lo), host, or a network's name; repeat it to join several.",
            usage = "network bridge|none|host|NAME [, aliases: [...]]", example = "network 'backend'")
    void network(Map<String, ?> options, Object name) {
        for (String k : options.keySet()) {
            if (k != 'aliases') throw new DslException("network '${name}': unknown option '${k}'${Suggest.didYouMean(k, ['aliases'])}".toString())
        }
        Object a = options.aliases
        List<String> aliases = a == null ? [] : a instanceof Collection ? ((Collection<?>) a).collect { String.valueOf(it) } : [String.valueOf(a)]
        networksWritten << new Written([name instanceof Network ? ((Network) name).name : String.valueOf(name), aliases], here())
    }

    void network(Object name) { network([:], name) }

    @Word(value = "The default network, as docker run gives it (network bridge).", usage = "network bridge")
    String getBridge() { 'bridge' }
    @Word(value = "No network: only lo (network none).", usage = "network none")
    String getNone() { 'none' }
    @Word(value = "The host's network namespace (network host).", usage = "network host")
    String getHost() { 'host' }

    @Word(value = "Publishes a container port on the host (docker run -p): PORT (a free host port), HOST:CONTAINER, IP:HOST:CONTAINER, with /udp for UDP.",
            usage = "publish [IP:][HOSTPORT:]PORT[/udp]", example = "publish '127.0.0.1:8080:80'")
    void publish(Object port) { portsWritten << new Written(String.valueOf(port), here()) }

    @Word(value = "Another name the container answers to on its user networks (docker run --network-alias).", usage = "alias NAME", example = "alias 'db'")
    void alias(String... names) { aliasesWritten.addAll(names as List<String>) }

    /** The networking the words asked for; network none when nothing was said. */
    private Networking networking() {
        List<PublishedPort> ports = portsWritten.collect { Written w ->
            try {
                PublishedPort.parse((String) w.value)
            } catch (io.cgroovy.runtime.ContainerException e) {
                throw new DslException("publish '${w.value}': ${e.message}".toString(), w.where)
            }
        }
        if (networksWritten.isEmpty()) {
            if (!ports.isEmpty() || !aliasesWritten.isEmpty()) return Networking.bridge(ports) // like docker run -p: the default network
            return Networking.NONE
        }
        List<String> names = networksWritten.collect { Written w -> (String) ((List<?>) w.value)[0] }
        for (String special : ['none', 'host']) {
            if (special in names) {
                Written w = networksWritten.find { Written x -> ((List<?>) x.value)[0] == special }
                if (names.size() > 1) throw new DslException("network ${special} cannot be combined with other networks", w.where)
                if (!ports.isEmpty()) throw new DslException("publish needs a bridge network (the container has network ${special})", portsWritten[0].where)
                return special == 'none' ? Networking.NONE : Networking.HOST
            }
        }
        if (names.unique(false).size() != names.size()) throw new DslException("network: a network is given twice (${names.join(', ')})", networksWritten[-1].where)
        Map<String, List<String>> aliases = [:]
        for (Written w : networksWritten) {
            List<?> v = (List<?>) w.value
            String n = (String) v[0]
            List<String> all = new ArrayList<>((List<String>) v[1])
            if (n != 'bridge') all.addAll(aliasesWritten)
            aliases.put(n, all)
        }
        try {
            Networking.of(names, aliases, ports)
        } catch (io.cgroovy.runtime.ContainerException e) {
            throw new DslException(e.message, networksWritten[0].where)
        }
    }

    private void mount(String type, Object source, Object destination, Map<String, ?> options) {
        mountsWritten << new Written([type, source, destination, options ?: [:]], here())
    }

    // ---- detached containers --------------------------------------------------------------

    /** Words that are complete without a value: {@code detach} alone means {@code detach()}. */
    private static final List<String> FLAGS = ['detach', 'tty', 'interactive', 'privileged', 'readOnly', 'userns'].asImmutable()

    @Word(value = "Runs the container in the background (docker run -d): its monitor keeps it, its log and its exit status after the shell has gone.", usage = "detach()", example = "detach()")
    void detach(Object on = true) { put('detach', on) }

    @Word(value = "Gives the container a terminal (docker run -t); without detach() the shell attaches to it at once.", usage = "tty()", example = "tty()")
    void tty(Object on = true) { put('tty', on) }

    @Word(value = "Keeps the container's stdin open for attach (docker run -i).", usage = "interactive()", example = "interactive()")
    void interactive(Object on = true) { put('interactive', on) }

    @Word(value = "Restart policy of a detached container: no, on-failure[:N], always, unless-stopped (--restart).", usage = "restart POLICY", example = "restart 'on-failure:3'")
    void restart(Object policy) { put('restart', policy) }

    @Word(value = "A health check run in the container by its monitor (HEALTHCHECK): a shell command or argv; options interval:, timeout:, startPeriod: ('30s', '1m30s', '500ms'; a number is seconds) and retries:; 'NONE' turns the image's off. Needs detach().",
            usage = "healthcheck COMMAND [, interval: D, timeout: D, startPeriod: D, retries: N]",
            example = "healthcheck 'wget -q -O /dev/null http://localhost/', interval: '5s', retries: 3")
    void healthcheck(Map<String, ?> options, Object... command) { put('healthcheck', [options ?: [:], command as List]) }

    void healthcheck(Object... command) { healthcheck([:], command) }

    /** Only options: the image's HEALTHCHECK command with other timing. */
    void healthcheck(Map<String, ?> options) { healthcheck(options, new Object[0]) }

    private static final List<String> HEALTH_OPTIONS = ['interval', 'timeout', 'startPeriod', 'retries'].asImmutable()

    /** The healthcheck word's value checked, or null when it was not written. */
    private Healthcheck healthcheckWanted() {
        Written w = written.healthcheck
        if (w == null) return null
        List<?> v = (List<?>) w.value
        Map<String, ?> opts = (Map<String, ?>) v[0]
        List<?> cmd = ((List<?>) v[1]).flatten()
        for (String k : opts.keySet()) {
            if (!(k in HEALTH_OPTIONS)) throw new DslException("healthcheck: unknown option '${k}'${Suggest.didYouMean(k, HEALTH_OPTIONS)}".toString(), w.where)
        }
        if (cmd.any { it == null }) throw new DslException('healthcheck: null in the command', w.where)
        List<String> test
        if (cmd.isEmpty()) test = []
        else if (cmd.size() == 1 && String.valueOf(cmd[0]).trim().equalsIgnoreCase('none')) test = ['NONE']
        else if (cmd.size() == 1) test = ['CMD-SHELL', String.valueOf(cmd[0])]
        else test = ['CMD'] + cmd.collect { String.valueOf(it) }
        if (test && test[0] != 'NONE' && test[1].trim().isEmpty()) throw new DslException('healthcheck: empty command', w.where)
        Map<String, java.time.Duration> d = [:]
        for (String k : ['interval', 'timeout', 'startPeriod']) {
            if (opts[k] == null) continue
            java.time.Duration x = Durations.parse(opts[k])
            if (x == null) throw new DslException("healthcheck ${k}: '${opts[k]}' is not a duration (use e.g. 30s, 1m30s, 500ms)".toString(), w.where)
            if (k != 'startPeriod' && x.toMillis() < 1) throw new DslException("healthcheck ${k}: '${opts[k]}': must be at least 1ms".toString(), w.where)
            d[k] = x
        }
        Integer retries = null
        if (opts.retries != null) {
            Object r = opts.retries
            if (!(r instanceof Integer || r instanceof Long) && !(r instanceof CharSequence && r.toString().isInteger())) {
                throw new DslException("healthcheck retries: '${r}' is not a whole number".toString(), w.where)
            }
            retries = r.toString().toInteger()
            if (retries < 1) throw new DslException("healthcheck retries: ${r}: must be at least 1".toString(), w.where)
        }
        if (test.isEmpty() && d.isEmpty() && retries == null) throw new DslException('healthcheck: no command given', w.where)
        try {
            new Healthcheck(test, d.interval, d.timeout, d.startPeriod, retries)
        } catch (ContainerException e) {
            throw new DslException(e.message, w.where)
        }
    }

    // ---- security -------------------------------------------------------------------------

    private final List<Written> capAddWritten = [], capDropWritten = [], ulimitsWritten = []

    @Word(value = "Adds capabilities to Docker's default set (--cap-add): NET_ADMIN or CAP_NET_ADMIN, ALL for every one.",
            usage = "capAdd CAP, ...", example = "capAdd 'NET_ADMIN', 'SYS_TIME'")
    void capAdd(Object... caps) { capAddWritten << new Written((caps as List).flatten(), here()) }

    @Word(value = "Removes capabilities from the default set (--cap-drop), before capAdd as Docker does; ALL drops every one.",
            usage = "capDrop CAP, ...", example = "capDrop 'ALL'")
    void capDrop(Object... caps) { capDropWritten << new Written((caps as List).flatten(), here()) }

    @Word(value = "Every capability, no seccomp filter, nothing masked, all devices (--privileged).", usage = "privileged()", example = "privileged()")
    void privileged(Object on = true) { put('privileged', on) }

    @Word(value = "Mounts the container's root filesystem read-only (--read-only); use tmpfs or volumes for what it writes.", usage = "readOnly()", example = "readOnly()")
    void readOnly(Object on = true) { put('readOnly', on) }

    @Word(value = "Resource limits of its processes (--ulimit): NAME: 'SOFT:HARD' or NAME: N, or 'nofile=1024:2048'.",
            usage = "ulimit NAME: 'SOFT[:HARD]', ...", example = "ulimit nofile: '1024:2048', nproc: 512")
    void ulimit(Map<?, ?> limits) {
        StackTraceElement[] where = here()
        limits.each { k, v -> ulimitsWritten << new Written("${k}=${v instanceof List ? ((List) v).join(':') : v}".toString(), where) }
    }

    void ulimit(String... limits) {
        StackTraceElement[] where = here()
        limits.each { String l -> ulimitsWritten << new Written(l, where) }
    }

    private Written usernsWritten

    @Word(value = "Root in the container is an unprivileged uid on the host (--userns-remap, podman --uidmap 0:HOST:SIZE): container ids 0..SIZE-1 are host ids HOST.. (SIZE 65536 unless given; userns() alone: 100000).",
            usage = "userns HOST_ID | userns host: HOST_ID, size: N", example = "userns host: 100000, size: 65536")
    void userns(Object hostId) { usernsWritten = hostId == false ? null : new Written([host: hostId], here()) }

    void userns(Map<String, ?> options) { usernsWritten = new Written(options ?: [:], here()) }

    void userns() { userns(Security.UserNamespace.DEFAULT.hostId()) }

    private static final List<String> USERNS_OPTIONS = ['host', 'size'].asImmutable()

    /** The userns word checked, or null when it was not written. */
    private Security.UserNamespace usernsWanted() {
        Written w = usernsWritten
        if (w == null) return null
        Map<String, ?> o = (Map<String, ?>) w.value
        for (String k : o.keySet()) {
            if (!(k in USERNS_OPTIONS)) throw new DslException("userns: unknown option '${k}'${Suggest.didYouMean(k, USERNS_OPTIONS)}".toString(), w.where)
        }
        if (o.host == null) throw new DslException('userns: the host id is missing (e.g. userns host: 100000, size: 65536)', w.where)
        long host = wholeNumber(o.host, 'userns host', w)
        long size = o.size == null ? Security.UserNamespace.DEFAULT.size() : wholeNumber(o.size, 'userns size', w)
        try {
            new Security.UserNamespace(host, size)
        } catch (ContainerException e) {
            throw new DslException(e.message, w.where)
        }
    }

    private static long wholeNumber(Object v, String what, Written w) {
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) return ((Number) v).longValue()
        if (v instanceof CharSequence && v.toString().trim().isLong()) return v.toString().trim().toLong()
        throw new DslException("${what}: '${v}' is not a whole number".toString(), w.where)
    }

    private final List<Written> devicesWritten = []

    @Word(value = "Gives it a host device (--device): HOST, HOST:CONTAINER, HOST:PERMS or HOST:CONTAINER:PERMS (PERMS within rwm); the device cgroup allows it.",
            usage = "device 'HOST[:CONTAINER][:PERMS]', ...", example = "device '/dev/fuse'")
    void device(String... specs) {
        StackTraceElement[] where = here()
        specs.each { String d -> devicesWritten << new Written(d, where) }
    }

    private List<Security.Device> devices() {
        devicesWritten.collect { Written w ->
            try {
                Security.Device d = Security.Device.parse((String) w.value)
                java.nio.file.Path host = java.nio.file.Path.of(d.hostPath())
                if (!java.nio.file.Files.exists(host)) throw new ContainerException('no such device on the host')
                int type = ((Integer) java.nio.file.Files.getAttribute(host, 'unix:mode')) & 0170000
                if (type != 0020000 && type != 0060000) throw new ContainerException('not a character or block device')
                d
            } catch (ContainerException e) {
                String why = e.message.startsWith("device '") ? e.message.substring(e.message.indexOf("': ") + 3) : e.message
                throw new DslException("device '${w.value}': ${why}".toString(), w.where)
            }
        }
    }

    /** The security words checked: capability names, flags, ulimits. */
    private Security security() {
        List<String> add = capabilities(capAddWritten, 'capAdd'), drop = capabilities(capDropWritten, 'capDrop')
        List<Security.Ulimit> limits = []
        Set<String> seen = [] as Set
        for (Written w : ulimitsWritten) {
            Security.Ulimit u
            try {
                u = Security.Ulimit.parse((String) w.value)
            } catch (ContainerException e) {
                String why = e.message.startsWith('invalid ulimit') ? 'not NAME=SOFT[:HARD] (e.g. nofile=1024:2048)' : e.message
                throw new DslException("ulimit '${w.value}': ${why}".toString(), w.where)
            }
            if (!seen.add(u.name())) throw new DslException("ulimit '${w.value}': ${u.name()} is given twice".toString(), w.where)
            limits << u
        }
        Security.UserNamespace userns = usernsWanted()
        if (userns != null && flag('privileged')) {
            throw new DslException('userns: a privileged() container cannot have a user namespace (as with Docker: use one or the other)', usernsWritten.where)
        }
        new Security(add, drop, flag('privileged'), null, flag('readOnly'), userns, limits).withDevices(devices())
    }

    private static List<String> capabilities(List<Written> written, String word) {
        List<String> out = []
        for (Written w : written) {
            for (Object c : (List<?>) w.value) {
                String t = String.valueOf(c).trim().toUpperCase()
                if (t == 'ALL') { out << 'ALL'; continue }
                String n = t.startsWith('CAP_') ? t : 'CAP_' + t
                if (!(n in Linux.CAPS)) {
                    String hint = Suggest.didYouMean(t.replaceFirst('^CAP_', ''), Linux.CAPS.collect { it.substring(4) })
                    throw new DslException("${word} '${c}': unknown capability${hint}".toString(), w.where)
                }
                out << n
            }
        }
        out
    }

    /** True when detach() was written. */
    boolean isDetached() { flag('detach') }

    /** How a detached (or terminal) container runs; checked like the settings. */
    DetachOptions detachOptions() {
        RestartPolicy policy = RestartPolicy.NO
        if (written.restart != null) {
            try {
                policy = RestartPolicy.parse(text('restart'))
            } catch (ContainerException e) {
                String why = e.message.replaceFirst(/^invalid restart policy '[^']*':? ?/, '')
                throw new DslException("restart ${show('restart')}: ${why.startsWith('(') ? 'not a policy ' + why : why}".toString(), written.restart.where)
            }
            if (policy.name() != 'no' && !flag('detach')) {
                throw error('restart', "restart ${show('restart')}: only a detached container is restarted (add detach())")
            }
        }
        Healthcheck health = healthcheckWanted()
        if (health != null && !health.disabled() && !flag('detach')) {
            throw error('healthcheck', "healthcheck: only a detached container is checked (add detach())")
        }
        new DetachOptions(flag('tty'), flag('interactive') || (flag('tty') && !flag('detach')), policy, health)
    }

    private boolean flag(String word) {
        Written w = written[word]
        if (w == null) return false
        if (w.value instanceof Boolean) return (Boolean) w.value
        throw error(word, "${word} ${show(word)}: use ${word}() or ${word} false")
    }

    @Word(value = "Replaces the image's Entrypoint, and then its Cmd is not used (docker run --entrypoint); '' for none.",
            usage = "entrypoint COMMAND...", example = "entrypoint '/bin/busybox', 'httpd'")
    void entrypoint(Object... command) { put('entrypoint', command as List) }

    void entrypoint(List<?> command) { put('entrypoint', command) }

    @Word(value = "Labels: key/value metadata kept with the container, shown by inspect (docker run --label).",
            usage = "labels KEY: VALUE, ...", example = "labels app: 'web', tier: 'front'")
    void labels(Map<?, ?> labels) {
        StackTraceElement[] where = here()
        labels.each { k, v -> labelsWritten.put(String.valueOf(k), new Written(v, where)) }
    }

    // ---- unknown words --------------------------------------------------------------------

    /**
     * A name the closure cannot resolve here: if the script knows it (a method of the script,
     * a variable, a closure in the binding) let Groovy go on to the closure's owner; else it is
     * a misspelt setting.
     */
    def methodMissing(String name, Object args) {
        if (scriptKnows(name)) throw new MissingMethodException(name, ContainerSpec, args as Object[])
        throw unknown(name)
    }

    def propertyMissing(String name) {
        if (scriptKnows(name)) throw new MissingPropertyException(name, ContainerSpec)
        if (name in FLAGS) { this.invokeMethod(name, null); return null }
        if (name in WORDS) return new Minus(this, name)
        String hint = Suggest.didYouMean(name, WORDS)
        // a bare name read here is a variable nobody set, unless it is a misspelt word
        throw new DslException(hint ? "unknown setting '${name}'${hint}".toString() : "unknown variable '${name}'".toString())
    }

    /**
     * {@code cpus -1} is Groovy for "property cpus minus 1": the word as a property is this
     * object, whose minus writes the negated value, so the check can say what is wrong with it.
     */
    @CompileStatic
    static final class Minus {
        private final ContainerSpec spec
        private final String word
        private Minus(ContainerSpec spec, String word) { this.spec = spec; this.word = word }
        Object minus(Object value) {
            Object negated = value instanceof Number ? ((Number) value).multiply(-1) : "-${value}".toString()
            spec.invokeMethod(word, negated)
            null
        }
        @Override String toString() { "the word '${word}' (give it a value: ${word} x)" }
    }

    /** {@code memory = '64m'} is the same as {@code memory '64m'}. */
    def propertyMissing(String name, Object value) {
        if (name in WORDS && name != 'env' && name != 'labels') { this.invokeMethod(name, value); return null }
        if (name == 'env' && value instanceof Map) { env((Map) value); return null }
        if (name == 'labels' && value instanceof Map) { labels((Map) value); return null }
        throw unknown(name)
    }

    /** Applies {@code key: value} options given to {@code container(...)} as if they were words. */
    void apply(Map<String, ?> options) {
        options.each { String k, Object v ->
            if (!(k in WORDS)) throw unknown(k)
            if (k == 'env' && v instanceof Map) env((Map) v)
            else if (k == 'labels' && v instanceof Map) labels((Map) v)
            else this.invokeMethod(k, v)
        }
    }

    void setScript(Object script) { this.script = script }

    private boolean scriptKnows(String name) {
        if (script == null) return false
        if (script instanceof Script && ((Script) script).binding.hasVariable(name)) return true
        !script.metaClass.respondsTo(script, name).isEmpty() || script.metaClass.hasProperty(script, name) != null
    }

    private DslException unknown(String word) {
        new DslException("unknown setting '${word}'${Suggest.didYouMean(word, WORDS)}".toString())
    }

    private void put(String word, Object value) { written.put(word, new Written(value, here())) }

    private static StackTraceElement[] here() { new Throwable().stackTrace }

    // ---- validation: the one place --------------------------------------------------------

    /**
     * The image to run: {@code positional} (from {@code container(IMAGE)}) or the one written with
     * {@code image REF}; none, or two different ones, is a mistake.
     */
    String imageRef(String positional) {
        String written = text('image')
        if (positional != null && written != null && positional.trim() != written.trim()) {
            throw error('image', "image ${show('image')}: the container already has image '${positional}'")
        }
        String ref = positional ?: written
        if (ref == null || ref.trim().isEmpty()) {
            throw written != null ? error('image', "image ${show('image')}: empty") :
                    new DslException("container: no image given (container('busybox') { ... } or image 'busybox' inside)")
        }
        ref.trim()
    }

    /**
     * Checks every value written and builds the settings; the first mistake is a {@link DslException}.
     * {@code image}: the image to run (see {@link #imageRef}); null takes the one written with {@code image}.
     */
    ContainerSettings settings(String image) { settings(image, [:]) }

    /** As {@link #settings(String)}, with labels of cgroovy's own added ({@code io.cgroovy.*}, which users may not set). */
    ContainerSettings settings(String image, Map<String, String> ownLabels) {
        image = image ?: imageRef(null)
        if (image == null || image.trim().isEmpty()) throw new DslException('container: no image given')
        Long memory = size('memory')
        if (memory != null && memory < MIN_MEMORY) {
            throw error('memory', "memory ${show('memory')}: below the minimum of 6m")
        }
        Long swap = written.memorySwap == null ? null : isMinusOne(written.memorySwap.value) ? -1L : size('memorySwap')
        if (swap != null && memory == null) {
            throw error('memorySwap', "memorySwap ${show('memorySwap')}: needs memory too")
        }
        if (swap != null && swap != -1L && swap < memory) {
            throw error('memorySwap', "memorySwap ${show('memorySwap')}: must be at least memory ${show('memory')}")
        }
        Double cpus = number('cpus')?.doubleValue()
        if (cpus != null) {
            if (cpus <= 0) throw error('cpus', "cpus ${show('cpus')}: must be greater than 0")
            if (cpus < MIN_CPUS) throw error('cpus', "cpus ${show('cpus')}: must be at least ${MIN_CPUS}")
            if (cpus > hostCpus) {
                throw error('cpus', "cpus ${show('cpus')}: more than the ${hostCpus} CPU${hostCpus == 1 ? '' : 's'} of this host")
            }
        }
        Long shares = whole('cpuShares')
        if (shares != null && (shares < 2 || shares > 262144)) {
            throw error('cpuShares', "cpuShares ${show('cpuShares')}: must be between 2 and 262144")
        }
        Long pids = whole('pids')
        if (pids != null && pids <= 0) throw error('pids', "pids ${show('pids')}: must be greater than 0")

        Map<String, String> env = new LinkedHashMap<>()
        envWritten.each { String k, Written w ->
            if (!(k ==~ ENV_KEY)) throw new DslException("env '${k}': not a variable name (no '=' or spaces)", w.where)
            if (w.value == null) throw new DslException("env '${k}': no value (use '' for an empty one)", w.where)
            env.put(k, String.valueOf(w.value))
        }
        String hostname = text('hostname')
        if (hostname != null && (hostname.length() > 64 || !(hostname ==~ HOSTNAME))) {
            throw error('hostname', "hostname ${show('hostname')}: not a valid hostname (letters, digits, '-' and '.', at most 64)")
        }
        String workdir = text('workdir')
        if (workdir != null && !workdir.startsWith('/')) {
            throw error('workdir', "workdir ${show('workdir')}: must be an absolute path")
        }
        String user = text('user')
        if (user != null && (!(user ==~ /[^\s:]+(:[^\s:]+)?/))) {
            throw error('user', "user ${show('user')}: use a name, uid or uid:gid")
        }
        String name = text('name')
        if (name != null && !(name ==~ NAME)) {
            throw error('name', "name ${show('name')}: use at least 2 of letters, digits, '_', '.', '-' (first a letter or digit)")
        }
        String cpuset = cpuList('cpuset'), mems = cpuList('cpusetMems')
        if (written.blkioWeight != null && written.ioWeight != null) {
            throw error('ioWeight', "ioWeight ${show('ioWeight')}: blkioWeight is already given (they are one setting)")
        }
        String weightWord = written.ioWeight != null ? 'ioWeight' : 'blkioWeight'
        Long weight = whole(weightWord)
        if (weight != null && (weight < 10 || weight > 1000)) {
            throw error(weightWord, "${weightWord} ${show(weightWord)}: must be between 10 and 1000")
        }
        List<Resources.IoLimit> io = []
        io.addAll(deviceLimits('deviceReadBps', 'readBps', true))
        io.addAll(deviceLimits('deviceWriteBps', 'writeBps', true))
        io.addAll(deviceLimits('deviceReadIops', 'readIops', false))
        io.addAll(deviceLimits('deviceWriteIops', 'writeIops', false))
        Object keep = written.keep?.value
        if (keep != null && !(keep instanceof Boolean)) throw error('keep', "keep ${show('keep')}: use true or false")
        Map<String, String> labels = new LinkedHashMap<>()
        labelsWritten.each { String k, Written w ->
            if (k.isBlank() || k.contains('=') || k.any { String c -> Character.isWhitespace(c as char) }) {
                throw new DslException("labels '${k}': not a label key (no '=' or spaces)", w.where)
            }
            if (k.startsWith('io.cgroovy.')) throw new DslException("labels '${k}': io.cgroovy.* labels are cgroovy's own", w.where)
            if (w.value == null) throw new DslException("labels '${k}': no value (use '' for an empty one)", w.where)
            labels.put(k, String.valueOf(w.value))
        }
        labels.putAll(ownLabels)
        new ContainerSettings(image.trim(), name, command(), env, hostname, workdir, user,
                new Resources(memory, swap, cpus, shares, pids).withCpuset(cpuset, mems)
                        .withIo(weight == null ? null : weight.intValue(), io), security(), mounts(), keep == Boolean.TRUE,
                networking(), entrypoint(), labels)
    }

    private List<MountSpec> mounts() {
        List<MountSpec> out = []
        Set<String> seen = [] as Set
        for (Written w : mountsWritten) {
            List<?> v = (List<?>) w.value
            String type = (String) v[0]
            Map<String, ?> opts = (Map<String, ?>) v[3]
            String dest = v[2] == null ? null : String.valueOf(v[2])
            String what = type == 'tmpfs' || v[1] == null ? "${type} '${dest}'" : "${type} '${v[1]}', '${dest}'"
            Set<String> allowed = (type == 'tmpfs' ? ['size', 'readOnly'] : ['readOnly']) as Set<String>
            for (String k : opts.keySet()) {
                if (!(k in allowed)) throw new DslException("${what}: unknown option '${k}'${Suggest.didYouMean(k, allowed)}", w.where)
            }
            if (dest == null || !dest.startsWith('/')) throw new DslException("${what}: the container path must be absolute", w.where)
            if (dest.split('/').any { it == '..' }) throw new DslException("${what}: the container path must not contain '..'", w.where)
            String clean = dest.replaceAll('/+', '/').replaceAll('(.)/$', '$1')
            if (clean == '/') throw new DslException("${what}: cannot mount over the container's root", w.where)
            if (!seen.add(clean)) throw new DslException("${what}: ${clean} is already a mount point", w.where)
            Object ro = opts.readOnly
            if (ro != null && !(ro instanceof Boolean)) throw new DslException("${what}: readOnly must be true or false", w.where)
            boolean readOnly = ro == Boolean.TRUE
            switch (type) {
                case 'volume':
                    String n = v[1] == null ? null : String.valueOf(v[1])
                    if (n != null && !(n ==~ NAME)) {
                        throw new DslException("${what}: invalid volume name (at least 2 of letters, digits, '_', '.', '-'; first a letter or digit)", w.where)
                    }
                    out << MountSpec.volume(n, clean, readOnly)
                    break
                case 'bind':
                    String src = v[1] == null ? null : String.valueOf(v[1])
                    if (src == null || !src.startsWith('/')) throw new DslException("${what}: the host path must be absolute", w.where)
                    if (!new File(src).exists()) throw new DslException("${what}: host path ${src} does not exist", w.where)
                    out << MountSpec.bind(src, clean, readOnly)
                    break
                default:
                    Long size = null
                    if (opts.size != null) {
                        Object sv = opts.size
                        size = sv instanceof Number ? ((Number) sv).longValue() : Sizes.parse(String.valueOf(sv))
                        if (size == null || size <= 0) throw new DslException("${what}: size '${sv}' is not a size (use e.g. 64m)", w.where)
                    }
                    out << new MountSpec(MountSpec.Type.TMPFS, null, clean, readOnly, size)
            }
        }
        out
    }

    private String cpuList(String word) {
        String list = text(word)
        if (list != null && !(list ==~ CPU_LIST)) {
            throw error(word, "${word} ${show(word)}: not a list like '0-1' or '0,2'")
        }
        list
    }

    /** {@code '/dev/vda': '1m'} entries: sizes per second for bps, whole numbers for iops. */
    private List<Resources.IoLimit> deviceLimits(String word, String kind, boolean bytes) {
        Written w = written[word]
        if (w == null) return []
        List<Resources.IoLimit> out = []
        ((Map<?, ?>) w.value).each { k, v ->
            String dev = String.valueOf(k)
            if (!dev.startsWith('/dev/')) throw new DslException("${word} '${dev}': not a device path like /dev/vda", w.where)
            Long n = null
            if (v instanceof Integer || v instanceof Long) n = ((Number) v).longValue()
            else if (bytes && v instanceof CharSequence) n = Sizes.parse(v.toString())
            else if (v instanceof CharSequence && v.toString().isLong()) n = v.toString().toLong()
            if (n == null || n <= 0) {
                throw new DslException("${word} '${dev}': ${v}: ${bytes ? 'not a rate (use e.g. 1m for 1 MiB/s)' : 'not a whole number of operations per second'}", w.where)
            }
            out << new Resources.IoLimit(dev, kind, n)
        }
        out
    }

    private List<String> command() {
        Written w = written.command
        if (w == null) return []
        List<?> args = ((List<?>) w.value).flatten()
        if (args.isEmpty()) throw new DslException('run: no command given', w.where)
        if (args.any { it == null }) throw new DslException('run: null in the command', w.where)
        if (args.size() == 1) {
            String line = String.valueOf(args[0])
            if (line.trim().isEmpty()) throw new DslException('run: empty command', w.where)
            return ['/bin/sh', '-c', line]
        }
        args.collect { String.valueOf(it) }
    }

    /** The entrypoint as an argv: one string is one program (no shell, as Docker), '' is none. */
    private List<String> entrypoint() {
        Written w = written.entrypoint
        if (w == null) return null
        List<?> args = ((List<?>) w.value).flatten()
        if (args.any { it == null }) throw new DslException('entrypoint: null in the command', w.where)
        if (args.size() == 1 && String.valueOf(args[0]).isEmpty()) return []
        if (args.isEmpty()) return []
        if (String.valueOf(args[0]).trim().isEmpty()) throw new DslException('entrypoint: empty program name', w.where)
        args.collect { String.valueOf(it) }
    }

    private Long size(String word) {
        Written w = written[word]
        if (w == null) return null
        Object v = w.value
        Long bytes = null
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) bytes = ((Number) v).longValue()
        else if (v instanceof CharSequence) bytes = Sizes.parse(v.toString())
        if (bytes == null || bytes <= 0) {
            throw error(word, "${word} ${show(word)}: not a size (use e.g. 512m, 1g)")
        }
        bytes
    }

    private Number number(String word) {
        Written w = written[word]
        if (w == null) return null
        if (w.value instanceof Number) return (Number) w.value
        if (w.value instanceof CharSequence && w.value.toString().trim().isBigDecimal()) return w.value.toString().trim().toBigDecimal()
        throw error(word, "${word} ${show(word)}: not a number")
    }

    private Long whole(String word) {
        Number n = number(word)
        if (n == null) return null
        if (n.doubleValue() != Math.floor(n.doubleValue())) throw error(word, "${word} ${show(word)}: not a whole number")
        n.longValue()
    }

    private String text(String word) {
        Written w = written[word]
        w == null || w.value == null ? null : String.valueOf(w.value)
    }

    private static boolean isMinusOne(Object v) {
        (v instanceof Number && ((Number) v).intValue() == -1 && ((Number) v).doubleValue() == -1d) ||
                (v instanceof CharSequence && v.toString().trim() == '-1')
    }

    /** The value as the user wrote it: quoted when it was a string. */
    private String show(String word) {
        Object v = written[word]?.value
        v instanceof CharSequence ? "'${v}'" : String.valueOf(v)
    }

    private DslException error(String word, Object message) {
        new DslException(message.toString(), written[word]?.where)
    }
}

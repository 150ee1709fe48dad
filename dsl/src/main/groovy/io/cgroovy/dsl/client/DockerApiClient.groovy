package io.cgroovy.dsl.client

import com.fasterxml.jackson.databind.JsonNode
import groovy.transform.CompileStatic
import io.cgroovy.image.ImageRecord
import io.cgroovy.runtime.ContainerInfo
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.ExecSettings
import io.cgroovy.runtime.RestartPolicy
import io.cgroovy.runtime.RunResult
import io.cgroovy.runtime.Stdio
import io.cgroovy.runtime.net.NetworkRecord
import io.cgroovy.runtime.net.NetworkSettings

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

/**
 * The DSL's words as Docker Engine API calls (version {@value DockerHttp#VERSION}), to Docker,
 * Podman or a remote {@code cgroovy serve}. Errors carry the server's own message.
 */
@CompileStatic
final class DockerApiClient implements EngineClient {
    private final DockerHttp http

    DockerApiClient(String address) { http = new DockerHttp(address) }

    /** tcp:// in TLS with {@code tls} (see {@link EngineTls}); null: as the address says. */
    DockerApiClient(String address, javax.net.ssl.SSLContext tls) {
        http = tls == null ? new DockerHttp(address) : new DockerHttp(address, new TlsDialer(address, tls))
    }

    @Override String address() { http.address }

    @Override String describe() {
        JsonNode v = http.json('GET', '/version')
        String name = v.path('Components').path(0).path('Name').asText('') ?: 'Docker Engine API'
        "${http.address}: ${name} ${v.path('Version').asText()} (API ${v.path('ApiVersion').asText()})".toString()
    }

    // ---- containers

    @Override RunResult run(ContainerSettings settings, Stdio stdio) {
        String id = create(settings, DetachOptions.DEFAULT)
        try {
            OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
            OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
            // attached before the start, so nothing it writes is missed
            DockerHttp.Response attach = http.call('POST', "/containers/${id}/attach?stream=1&stdout=1&stderr=1", null, 'application/json', true)
            if (!attach.ok()) throw new EngineException(attach.error(), attach.status)
            try {
                check(http.call('POST', "/containers/${id}/start"))
                DockerHttp.demux(attach.body, false, out, err)
            } catch (IOException | EngineException e) {
                if (!Thread.interrupted()) throw e
                // Ctrl-C (the session interrupts this thread, which closes the stream): the container is
                // stopped as the built-in runtime stops a foreground one (SIGTERM, SIGKILL after 3 s)
                interruptContainer(id)
                Thread.currentThread().interrupt()
            } finally {
                attach.close()
            }
            boolean interrupted = Thread.interrupted()   // the calls below need a channel an interrupt would close
            try {
                int code = waitFor(id)
                ContainerInfo info = inspect(id)
                return new RunResult(id, info.name(), code, info.oomKilled())
            } finally {
                if (interrupted) Thread.currentThread().interrupt()
            }
        } finally {
            removeAfterRun(id)
        }
    }

    private void interruptContainer(String id) {
        http.call('POST', "/containers/${id}/stop?t=3").close()
    }

    /**
     * docker run -it / -i without -d: attached (stdin too when {@code in} is given) before the start,
     * the terminal's size passed on ({@code onStart} gets the id before the start; sizes asked for
     * then are sent again once it runs), removed when it ends. Empty when Ctrl-P Ctrl-Q detached it.
     */
    @Override Optional<RunResult> runAttached(ContainerSettings settings, DetachOptions options, InputStream in,
                                              OutputStream out, OutputStream err, java.util.function.Consumer<String> onStart) {
        String id = create(settings, options, in != null)
        boolean keep = false
        try {
            DockerHttp.Response attach = hijackAttach(id, in != null)
            boolean detachTyped = false
            try {
                onStart?.accept(id)
                check(http.call('POST', "/containers/${id}/start"))
                started(id)
                detachTyped = new HijackedStream(attach).run(options.tty(), in, out, err)
            } catch (IOException | EngineException e) {
                if (!Thread.interrupted()) throw e
                interruptContainer(id)   // Ctrl-C (not a TTY's: that one is a key for the container)
                Thread.currentThread().interrupt()
            } finally {
                attach.close()
                sizes.remove(id)
            }
            boolean interrupted = Thread.interrupted()
            try {
                if (detachTyped && inspect(id).status() == 'running') {
                    keep = true
                    return Optional.empty()
                }
                int code = waitFor(id)
                ContainerInfo info = inspect(id)
                return Optional.of(new RunResult(id, info.name(), code, info.oomKilled()))
            } finally {
                if (interrupted) Thread.currentThread().interrupt()
            }
        } finally {
            if (!keep) {
                removeAfterRun(id)
            }
        }
    }

    /** POST /containers/{id}/attach with Upgrade: the hijacked stream (stdin too when {@code stdin}). */
    private DockerHttp.Response hijackAttach(String id, boolean stdin) {
        String q = "stream=1&stdout=1&stderr=1" + (stdin ? "&stdin=1&detachKeys=${DockerHttp.enc(HijackedStream.DETACH_KEYS)}" : '')
        DockerHttp.Response r = http.call('POST', "/containers/${DockerHttp.enc(id)}/attach?${q}", null, 'application/json', true)
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        r
    }

    @Override boolean attach(String ref, InputStream in, OutputStream out, OutputStream err) {
        ContainerInfo info = inspect(ref)
        if (info.status() != 'running') throw new EngineException("cannot attach to container ${info.name()}: it is ${info.status()}")
        DockerHttp.Response r = hijackAttach(info.id(), in != null)
        try {
            boolean detachTyped = new HijackedStream(r).run(info.tty(), in, out, err)
            detachTyped && inspect(info.id()).status() == 'running'
        } finally {
            r.close()
        }
    }

    /** The last window size asked for per container: sent again right after its start (a server may refuse it before). */
    private final Map<String, int[]> sizes = new java.util.concurrent.ConcurrentHashMap<String, int[]>()

    @Override void resize(String ref, int rows, int cols) {
        sizes.put(ref, [rows, cols] as int[])
        check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/resize?h=${rows}&w=${cols}"))
    }

    private void started(String id) {
        int[] size = sizes.get(id)
        if (size == null) return
        try {
            resize(id, size[0], size[1])
        } catch (EngineException ignored) {
            // it has ended already
        }
    }

    @Override ContainerInfo runDetached(ContainerSettings settings, DetachOptions options) {
        String id = create(settings, options)
        try {
            check(http.call('POST', "/containers/${id}/start"))
        } catch (EngineException e) {
            removeQuietly(id)
            throw e
        }
        inspect(id)
    }

    private String create(ContainerSettings s, DetachOptions options, boolean stdinOnce = false) {
        Map<String, Object> body = CreateBody.of(s, options)
        if (stdinOnce) {
            // docker run -i: the attached stdin's end is the container's
            body.OpenStdin = true
            body.AttachStdin = true
            body.StdinOnce = true
        }
        String path = '/containers/create' + (s.name() ? '?name=' + DockerHttp.enc(s.name()) : '')
        JsonNode r = http.json('POST', path, body)
        String id = r.path('Id').asText()
        // further networks are joined before the start, as docker run --network a --network b does
        List<String> more = CreateBody.extraNetworks(s)
        try {
            for (String n : more) {
                List<String> aliases = s.network().networks().find { it.network() == n }?.aliases() ?: []
                http.json('POST', "/networks/${DockerHttp.enc(n)}/connect", [Container: id, EndpointConfig: [Aliases: aliases]])
            }
        } catch (EngineException e) {
            removeQuietly(id)
            throw e
        }
        id
    }

    /** Removes a run's container even while an interrupt is pending; the run's own error (or result) matters more than a failed cleanup. */
    private void removeAfterRun(String id) {
        boolean interrupted = Thread.interrupted()
        try {
            removeQuietly(id)
        } catch (EngineException ignored) {
            // see above
        } finally {
            if (interrupted) Thread.currentThread().interrupt()
        }
    }

    private void removeQuietly(String id) {
        DockerHttp.Response r = http.call('DELETE', "/containers/${id}?force=1&v=1")
        r.close()
    }

    @Override List<ContainerInfo> ps(boolean all) {
        JsonNode list = http.json('GET', '/containers/json' + (all ? '?all=1' : ''))
        List<ContainerInfo> out = []
        for (JsonNode c : list) {
            try {
                out << inspect(c.path('Id').asText())
            } catch (EngineException e) {
                if (e.status != 404) throw e   // removed meanwhile
            }
        }
        out.sort { ContainerInfo a, ContainerInfo b -> b.created() <=> a.created() }
    }

    @Override ContainerInfo inspect(String ref) {
        JsonNode j = http.json('GET', "/containers/${DockerHttp.enc(ref)}/json")
        JsonNode state = j.path('State')
        JsonNode config = j.path('Config')
        List<String> cmd = []
        if (j.hasNonNull('Path') && j.path('Path').asText()) cmd << j.path('Path').asText()
        for (JsonNode a : j.path('Args')) cmd << a.asText()
        Map<String, String> labels = [:]
        config.path('Labels').fields().each { Map.Entry<String, JsonNode> e -> labels.put(e.key, e.value.asText()) }
        JsonNode policy = j.path('HostConfig').path('RestartPolicy')
        String policyName = policy.path('Name').asText('') ?: 'no'
        new ContainerInfo(j.path('Id').asText(), j.path('Name').asText().replaceFirst('^/', ''),
                config.path('Image').asText(), cmd, time(j.path('Created').asText()),
                status(state), state.path('ExitCode').asInt(), state.path('OOMKilled').asBoolean(), state.path('Pid').asLong(),
                j.path('RestartCount').asInt(), time(state.path('StartedAt').asText()), time(state.path('FinishedAt').asText()),
                new RestartPolicy(policyName, policy.path('MaximumRetryCount').asInt()), config.path('Tty').asBoolean(),
                state.path('Error').asText(''), labels, state.path('Health').path('Status').asText(''))
    }

    /** Docker's words; Podman says "configured"/"stopped" for what Docker calls created/exited. */
    private static String status(JsonNode state) {
        String s = state.path('Status').asText('')
        switch (s) {
            case 'configured': return 'created'
            case 'stopped': return 'exited'
            case '': return state.path('Running').asBoolean() ? 'running' : 'exited'
            default: return s
        }
    }

    private static Instant time(String t) {
        if (!t || t.startsWith('0001-01-01')) return null
        try {
            Instant.parse(t)
        } catch (java.time.format.DateTimeParseException ignored) {
            java.time.OffsetDateTime.parse(t).toInstant()
        }
    }

    @Override ContainerInfo start(String ref) {
        check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/start"))
        inspect(ref)
    }

    @Override int stop(String ref, Duration timeout) {
        check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/stop?t=${Math.max(0L, timeout.toSeconds())}"))
        waitFor(ref)
    }

    @Override void kill(String ref, String signal) {
        String sig = signal ==~ /[0-9]+/ ? signal : (signal.toUpperCase(Locale.ROOT).startsWith('SIG') ? signal.toUpperCase(Locale.ROOT) : 'SIG' + signal.toUpperCase(Locale.ROOT))
        check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/kill?signal=${DockerHttp.enc(sig)}"))
    }

    @Override int waitFor(String ref) {
        JsonNode r = http.json('POST', "/containers/${DockerHttp.enc(ref)}/wait")
        if (r.path('Error').hasNonNull('Message') && r.path('Error').path('Message').asText()) throw new EngineException(r.path('Error').path('Message').asText())
        r.path('StatusCode').asInt()
    }

    @Override ContainerInfo restart(String ref, Duration timeout) {
        check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/restart?t=${Math.max(0L, timeout.toSeconds())}"))
        inspect(ref)
    }

    @Override void remove(String ref, boolean force) {
        check(http.call('DELETE', "/containers/${DockerHttp.enc(ref)}?v=1" + (force ? '&force=1' : '')))
    }

    @Override void pause(String ref) { check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/pause")) }

    @Override void unpause(String ref) { check(http.call('POST', "/containers/${DockerHttp.enc(ref)}/unpause")) }

    @Override void logs(String ref, int tail, boolean follow, OutputStream out, OutputStream err) {
        boolean tty = inspect(ref).tty()
        String q = "stdout=1&stderr=1&tail=${tail < 0 ? 'all' : tail}" + (follow ? '&follow=1' : '')
        DockerHttp.Response r = http.call('GET', "/containers/${DockerHttp.enc(ref)}/logs?${q}")
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        try {
            DockerHttp.demux(r.body, tty, out, err)
        } finally {
            r.close()
        }
    }

    @Override int exec(String ref, ExecSettings settings, Stdio stdio) {
        OutputStream out = stdio.inherit() ? System.out : (stdio.out() ?: OutputStream.nullOutputStream())
        OutputStream err = stdio.inherit() ? System.err : (stdio.err() ?: OutputStream.nullOutputStream())
        execAttached(ref, settings, false, null, out, err, null)
    }

    /**
     * docker exec [-i] [-t]: {@code in} (null: none) goes to its stdin or terminal; {@code onStart} gets
     * the function that sets its window size once it runs. Returns its exit status.
     */
    @Override int execAttached(String ref, ExecSettings settings, boolean tty, InputStream in, OutputStream out, OutputStream err,
                               java.util.function.Consumer<java.util.function.BiConsumer<Integer, Integer>> onStart) {
        Map<String, Object> body = [AttachStdout: true, AttachStderr: true, AttachStdin: in != null, Tty: tty,
                                    Cmd: settings.command(), Env: settings.env().collect { k, v -> "${k}=${v}".toString() }] as Map<String, Object>
        if (settings.user()) body.User = settings.user()
        if (settings.workdir()) body.WorkingDir = settings.workdir()
        if (in != null) body.DetachKeys = HijackedStream.DETACH_KEYS
        String execId = http.json('POST', "/containers/${DockerHttp.enc(ref)}/exec", body).path('Id').asText()
        DockerHttp.Response r = http.call('POST', "/exec/${execId}/start", [Detach: false, Tty: tty], 'application/json', true)
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        try {
            onStart?.accept({ Integer rows, Integer cols -> check(http.call('POST', "/exec/${execId}/resize?h=${rows}&w=${cols}")) } as java.util.function.BiConsumer<Integer, Integer>)
            new HijackedStream(r).run(tty, in, out, err)
        } finally {
            r.close()
        }
        // the stream ends as the process does; the exit code may lag a moment behind on some servers
        for (int i = 0; i < 100; i++) {
            JsonNode e = http.json('GET', "/exec/${execId}/json")
            if (!e.path('Running').asBoolean() && !e.path('ExitCode').isNull()) return e.path('ExitCode').asInt()
            Thread.sleep(50)
        }
        throw new EngineException("exec ${execId}: still running after its output ended")
    }

    @Override List<String> addresses(String ref) {
        JsonNode nets = http.json('GET', "/containers/${DockerHttp.enc(ref)}/json").path('NetworkSettings').path('Networks')
        List<String> out = []
        nets.fields().each { Map.Entry<String, JsonNode> e -> if (e.value.path('IPAddress').asText()) out << e.value.path('IPAddress').asText() }
        out
    }

    // ---- images

    @Override List<ImageRecord> images() {
        http.json('GET', '/images/json').collect { JsonNode i ->
            List<String> tags = i.path('RepoTags').collect { JsonNode t -> t.asText() }.findAll { String t -> t != '<none>:<none>' }
            String digest = i.path('RepoDigests').collect { JsonNode d -> d.asText() }.find { String d -> d.contains('@') }
            new ImageRecord(i.path('Id').asText(), tags, i.path('Size').asLong(), Instant.ofEpochSecond(i.path('Created').asLong()),
                    digest == null ? null : digest.substring(digest.indexOf('@') + 1))
        }
    }

    @Override boolean hasImage(String ref) {
        DockerHttp.Response r = http.call('GET', "/images/${DockerHttp.enc(ref)}/json")
        r.close()
        if (r.status == 404) return false
        if (!r.ok()) throw new EngineException("image ${ref}: HTTP ${r.status}")
        true
    }

    @Override ImageRecord image(String ref) {
        JsonNode i
        try {
            i = http.json('GET', "/images/${DockerHttp.enc(ref)}/json")
        } catch (EngineException e) {
            if (e.status == 404) throw new EngineException("no such image: ${ref}", 404)
            throw e
        }
        List<String> tags = i.path('RepoTags').collect { JsonNode t -> t.asText() }
        String digest = i.path('RepoDigests').collect { JsonNode d -> d.asText() }.find { String d -> d.contains('@') }
        new ImageRecord(i.path('Id').asText(), tags, i.path('Size').asLong(), time(i.path('Created').asText()),
                digest == null ? null : digest.substring(digest.indexOf('@') + 1))
    }

    @Override ImageRecord pull(String ref, String platform, boolean insecure, PrintStream messages) {
        String[] nameTag = splitTag(ref)
        String q = "fromImage=${DockerHttp.enc(nameTag[0])}&tag=${DockerHttp.enc(nameTag[1])}" + (platform ? "&platform=${DockerHttp.enc(platform)}" : '')
        DockerHttp.Response r = http.call('POST', "/images/create?${q}")
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(r.body, 'UTF-8'))
            String line
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) continue
                JsonNode e = DockerHttp.JSON.readTree(line)
                if (e.hasNonNull('error')) throw new EngineException("pull ${ref}: ${e.path('error').asText()}")
                String status = e.path('status').asText('')
                if (!status) continue
                String id = e.path('id').asText('')
                String progress = e.path('progress').asText('')
                messages.println((id ? "${id}: " : '') + status + (progress ? ' ' + progress : ''))
            }
        } finally {
            r.close()
        }
        image(ref)
    }

    /** docker's split: the tag is after the last ':' of the last path component; a digest stays with the name. */
    static String[] splitTag(String ref) {
        if (ref.contains('@')) return [ref.substring(0, ref.indexOf('@')), ref.substring(ref.indexOf('@') + 1)] as String[]
        int slash = ref.lastIndexOf('/')
        int colon = ref.lastIndexOf(':')
        colon > slash ? [ref.substring(0, colon), ref.substring(colon + 1)] as String[] : [ref, 'latest'] as String[]
    }

    @Override void removeImage(String ref) { check(http.call('DELETE', "/images/${DockerHttp.enc(ref)}")) }

    @Override void tag(String src, String dst) {
        String[] nt = splitTag(dst)
        check(http.call('POST', "/images/${DockerHttp.enc(src)}/tag?repo=${DockerHttp.enc(nt[0])}&tag=${DockerHttp.enc(nt[1])}"))
    }

    @Override List<ImageRecord> load(Path archive) {
        if (!Files.isRegularFile(archive)) throw new EngineException("load ${archive}: a remote engine loads a docker save archive (a .tar file)")
        List<String> loaded = []
        InputStream tar = Files.newInputStream(archive)
        try {
            DockerHttp.Response r = http.call('POST', '/images/load?quiet=1', tar, 'application/x-tar')
            if (!r.ok()) throw new EngineException(r.error(), r.status)
            String text = r.text()
            for (String line : text.readLines()) {
                if (line.isBlank()) continue
                JsonNode e = DockerHttp.JSON.readTree(line)
                if (e.hasNonNull('error')) throw new EngineException("load ${archive}: ${e.path('error').asText()}")
                // "Loaded image: busybox:latest" / "Loaded image ID: sha256:..." (Podman: "Loaded image(s): a,b")
                java.util.regex.Matcher m = e.path('stream').asText('') =~ /Loaded image(?: ID|\(s\))?: (.+)/
                if (m.find()) loaded.addAll(m.group(1).trim().split(',').collect { String s -> s.trim() })
            }
        } finally {
            tar.close()
        }
        loaded.collect { String ref -> image(ref) }.unique { ImageRecord i -> i.id() }
    }

    // ---- volumes

    @Override List<String> volumes() {
        http.json('GET', '/volumes').path('Volumes').collect { JsonNode v -> v.path('Name').asText() }.sort()
    }

    @Override boolean volumeExists(String name) {
        DockerHttp.Response r = http.call('GET', "/volumes/${DockerHttp.enc(name)}")
        r.close()
        r.ok()
    }

    @Override void createVolume(String name) { http.json('POST', '/volumes/create', [Name: name]) }

    @Override void removeVolume(String name) { check(http.call('DELETE', "/volumes/${DockerHttp.enc(name)}")) }

    // ---- networks

    @Override List<NetworkRecord> networks() { http.json('GET', '/networks').collect { JsonNode n -> record(n) } }

    @Override NetworkRecord network(String name) {
        try {
            record(http.json('GET', "/networks/${DockerHttp.enc(name)}"))
        } catch (EngineException e) {
            if (e.status == 404) throw new EngineException("no such network: ${name}", 404)
            throw e
        }
    }

    @Override NetworkRecord ensureNetwork(NetworkSettings s) {
        NetworkRecord have = networks().find { NetworkRecord n -> n.name == s.name() }
        if (have != null) return have
        Map<String, Object> ipam = [:]
        if (s.subnet()) ipam.Subnet = s.subnet()
        if (s.gateway()) ipam.Gateway = s.gateway()
        if (s.ipRange()) ipam.IPRange = s.ipRange()
        Map<String, Object> body = [Name: s.name(), Driver: 'bridge', Internal: s.internal(), CheckDuplicate: true,
                                    IPAM: [Driver: 'default', Config: ipam ? [ipam] : []]] as Map<String, Object>
        if (s.mtu() != null) body.Options = ['com.docker.network.driver.mtu': String.valueOf(s.mtu())]
        http.json('POST', '/networks/create', body)
        network(s.name())
    }

    @Override void removeNetwork(String name) { check(http.call('DELETE', "/networks/${DockerHttp.enc(name)}")) }

    private static NetworkRecord record(JsonNode n) {
        NetworkRecord r = new NetworkRecord()
        r.name = n.path('Name').asText()
        r.id = n.path('Id').asText()
        r.driver = n.path('Driver').asText('bridge')
        JsonNode cfg = n.path('IPAM').path('Config').path(0)
        r.subnet = cfg.path('Subnet').asText(null)
        r.gateway = cfg.path('Gateway').asText(null)
        r.ipRange = cfg.path('IPRange').asText(null) ?: null
        r.internal = n.path('Internal').asBoolean()
        r.bridge = n.path('Options').path('com.docker.network.bridge.name').asText(null)
        String mtu = n.path('Options').path('com.docker.network.driver.mtu').asText('')
        r.mtu = mtu ==~ /[0-9]+/ ? Integer.valueOf(mtu) : null
        r.created = n.path('Created').asText(null)
        r
    }

    private static void check(DockerHttp.Response r) {
        if (!r.ok()) throw new EngineException(r.error(), r.status)
        r.close()
    }

    /** Closes the connections kept alive for the next call. */
    @Override void close() { http.close() }
}

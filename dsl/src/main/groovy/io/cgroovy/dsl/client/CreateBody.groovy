package io.cgroovy.dsl.client

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerSettings
import io.cgroovy.runtime.DetachOptions
import io.cgroovy.runtime.MountSpec
import io.cgroovy.runtime.Networking
import io.cgroovy.runtime.Security
import io.cgroovy.runtime.net.PublishedPort

/** The JSON body of POST /containers/create for the DSL's validated settings (what docker run sends). */
@CompileStatic
final class CreateBody {
    private CreateBody() {}

    static Map<String, Object> of(ContainerSettings s, DetachOptions o) {
        refuse(s)
        Map<String, Object> body = [Image: s.image()] as Map<String, Object>
        if (!s.command().isEmpty()) body.Cmd = s.command()
        if (s.entrypoint() != null) body.Entrypoint = s.entrypoint()
        if (!s.env().isEmpty()) body.Env = s.env().collect { k, v -> "${k}=${v}".toString() }
        if (s.workdir()) body.WorkingDir = s.workdir()
        if (s.user()) body.User = s.user()
        if (s.hostname()) body.Hostname = s.hostname()
        if (!s.labels().isEmpty()) body.Labels = s.labels()
        body.Tty = o.tty()
        body.OpenStdin = o.interactive()
        body.AttachStdout = true
        body.AttachStderr = true

        Map<String, Object> host = [:]
        def r = s.resources()
        if (r.memoryBytes() != null) host.Memory = r.memoryBytes()
        if (r.memorySwapBytes() != null) host.MemorySwap = r.memorySwapBytes()
        if (r.cpus() != null) host.NanoCpus = (long) Math.round(r.cpus() * 1e9d)
        if (r.cpuShares() != null) host.CpuShares = r.cpuShares()
        if (r.pidsMax() != null) host.PidsLimit = r.pidsMax()
        if (r.cpusetCpus()) host.CpusetCpus = r.cpusetCpus()
        if (r.cpusetMems()) host.CpusetMems = r.cpusetMems()

        Security sec = s.security()
        if (!sec.capAdd().isEmpty()) host.CapAdd = sec.capAdd()
        if (!sec.capDrop().isEmpty()) host.CapDrop = sec.capDrop()
        if (sec.privileged()) host.Privileged = true
        if (sec.readOnly()) host.ReadonlyRootfs = true
        if (!sec.ulimits().isEmpty()) host.Ulimits = sec.ulimits().collect { Security.Ulimit u -> [Name: u.name(), Soft: u.soft(), Hard: u.hard()] }

        List<String> binds = []
        Map<String, String> tmpfs = [:]
        for (MountSpec m : s.mounts()) {
            switch (m.type()) {
                case MountSpec.Type.VOLUME:
                    // an anonymous volume is the image-less form docker run -v /path gives
                    if (m.source() == null) { ((Map<String, Object>) body.computeIfAbsent('Volumes') { [:] }).put(m.destination(), [:]); break }
                case MountSpec.Type.BIND:
                    binds << "${m.source()}:${m.destination()}${m.readOnly() ? ':ro' : ''}".toString()
                    break
                case MountSpec.Type.TMPFS:
                    tmpfs.put(m.destination(), m.size() == null ? '' : "size=${m.size()}".toString())
                    break
            }
        }
        if (binds) host.Binds = binds
        if (tmpfs) host.Tmpfs = tmpfs

        Networking net = s.network()
        switch (net.mode()) {
            case Networking.Mode.NONE: host.NetworkMode = 'none'; break
            case Networking.Mode.HOST: host.NetworkMode = 'host'; break
            default:
                Networking.Attachment first = net.networks()[0]
                host.NetworkMode = first.network()
                if (!first.aliases().isEmpty()) body.NetworkingConfig = [EndpointsConfig: [(first.network()): [Aliases: first.aliases()]]]
        }
        if (!net.ports().isEmpty()) {
            Map<String, Object> exposed = [:]
            Map<String, List<Map<String, String>>> bindings = [:]
            for (PublishedPort p : net.ports()) {
                String key = "${p.containerPort()}/${p.protocol()}".toString()
                exposed.put(key, [:])
                bindings.computeIfAbsent(key) { [] } << [HostIp: p.hostIp() ?: '', HostPort: p.hostPort() > 0 ? String.valueOf(p.hostPort()) : '']
            }
            body.ExposedPorts = exposed
            host.PortBindings = bindings
        }
        io.cgroovy.runtime.Healthcheck hc = o.healthcheck()
        if (hc != null) {
            Map<String, Object> h = [:]
            if (!hc.test().isEmpty()) h.Test = hc.test()
            if (hc.interval() != null) h.Interval = hc.interval().toNanos()
            if (hc.timeout() != null) h.Timeout = hc.timeout().toNanos()
            if (hc.startPeriod() != null) h.StartPeriod = hc.startPeriod().toNanos()
            if (hc.retries() != null) h.Retries = hc.retries()
            body.Healthcheck = h
        }
        if (o.restart() != null && o.restart().name() != 'no') host.RestartPolicy = [Name: o.restart().name(), MaximumRetryCount: o.restart().maxRetries()]
        body.HostConfig = host
        body
    }

    /** Networks after the first: joined with /networks/NAME/connect before the start. */
    static List<String> extraNetworks(ContainerSettings s) {
        s.network().mode() == Networking.Mode.NETWORKS ? s.network().networks().drop(1)*.network() : []
    }

    /** Settings the API has no field for: refused by name instead of dropped. */
    private static void refuse(ContainerSettings s) {
        Security sec = s.security()
        if (sec.seccomp() != null) throw new EngineException('seccomp: a profile file is not sent to a remote engine')
        if (sec.userns() != null) throw new EngineException('userns: not available on a remote engine')
        if (s.keep()) throw new EngineException('keep: a remote engine removes foreground containers when they end (use detach())')
        if (!s.resources().ioLimits().isEmpty()) throw new EngineException('io limits: not sent to a remote engine yet')
        if (s.resources().blkioWeight() != null) throw new EngineException('blkioWeight: not sent to a remote engine yet')
    }
}

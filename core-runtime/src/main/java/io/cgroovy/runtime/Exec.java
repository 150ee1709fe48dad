package io.cgroovy.runtime;

import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.plan.Plan;
import io.cgroovy.runtime.plan.PlanCompiler;
import io.cgroovy.runtime.spec.RootfsView;
import io.cgroovy.runtime.spec.RuntimeSpec;
import io.cgroovy.runtime.spec.UserSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one more process in a running container with the same executor as its first process: a plan
 * that joins the container's namespaces and cgroup ({@link PlanCompiler#compileExec}) and applies the
 * container's capabilities, seccomp filter, no_new_privs and rlimits to the new process.
 */
final class Exec {
    /** What exec needs to know of a running container. */
    record Target(String id, String name, Path dir, long initPid, ContainerCgroup cgroup, List<Path> layers) {}

    private Exec() {}

    static int run(Engine engine, Target t, ExecSettings s, Stdio stdio, ExecTerminal terminal) {
        RuntimeSpec spec = RuntimeSpec.read(t.dir().resolve("config.json"));
        RuntimeSpec.Process p = process(spec, s, t.layers());
        p.terminal = terminal != null;
        Path v2 = t.cgroup().v2Dir().orElse(null);
        // the resize socket sits beside the monitors' (a unix socket path has at most 107 bytes)
        Path control = terminal == null ? null
                : engine.root().resolve("sock").resolve("x" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 15));
        if (control != null) {
            try {
                Files.createDirectories(control.getParent());
            } catch (IOException e) {
                throw new ContainerException("exec in " + t.name() + ": " + e.getMessage(), e);
            }
            // from here a resize goes to the executor (ExecTerminal.resize); the size the plan reads below is the one before
            terminal.control(control);
        }
        Path work = null;
        try {
            PlanCompiler.Terminal term = terminal == null ? null : new PlanCompiler.Terminal(terminal.rows(), terminal.cols(), control.toString());
            Plan plan = PlanCompiler.compileExec(spec, p, t.initPid(), v2 != null ? List.of() : t.cgroup().joinDirs(), v2, term);
            try {
                work = Files.createTempDirectory(t.dir(), "exec-");
            } catch (IOException e) {
                throw new ContainerException("exec in " + t.name() + ": " + e.getMessage(), e);
            }
            Path planFile = work.resolve("plan");
            plan.write(planFile);
            Path status = work.resolve("status");
            return ExecutorRun.run(engine.executor(), planFile, status, plan, stdio, "exec " + t.name());
        } finally {
            if (terminal != null) {
                terminal.ended();
                try {
                    Files.deleteIfExists(control); // the executor removes both; not when it was killed
                    Files.deleteIfExists(ExecTerminal.sizeFile(control));
                } catch (IOException ignored) {
                    // a leftover file names no process; the next exec picks another name
                }
            }
            if (work != null) Engine.removeTree(work);
        }
    }

    /** The new process: the container's, with the command, env, user and working directory of the exec. */
    static RuntimeSpec.Process process(RuntimeSpec spec, ExecSettings s, List<Path> layers) {
        RuntimeSpec.Process c = spec.process;
        RuntimeSpec.Process p = new RuntimeSpec.Process();
        p.args = new ArrayList<>(s.command());
        for (String a : p.args) {
            if (a.indexOf('\0') >= 0) throw new ContainerException("exec: command argument contains a NUL byte");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : c.env) {
            int eq = e.indexOf('=');
            if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        for (Map.Entry<String, String> e : s.env().entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().contains("=")) {
                throw new ContainerException("invalid environment variable name '" + e.getKey() + "'");
            }
            env.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
        }
        p.user = c.user;
        if (s.user() != null && !s.user().isBlank()) {
            UserSpec.Resolved u = UserSpec.resolve(s.user(), new RootfsView(layers == null ? List.of() : layers));
            p.user = new RuntimeSpec.User();
            p.user.uid = u.uid();
            p.user.gid = u.gid();
            p.user.additionalGids = u.additionalGids().isEmpty() ? null : u.additionalGids();
            if (!s.env().containsKey("HOME")) env.put("HOME", u.home());
        }
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        p.env = envList;
        String cwd = s.workdir() != null && !s.workdir().isBlank() ? s.workdir() : c.cwd;
        if (cwd == null || !cwd.startsWith("/")) throw new ContainerException("exec: working directory '" + cwd + "' is not an absolute path");
        p.cwd = cwd;
        p.capabilities = c.capabilities;
        p.rlimits = c.rlimits;
        p.noNewPrivileges = c.noNewPrivileges;
        return p;
    }
}

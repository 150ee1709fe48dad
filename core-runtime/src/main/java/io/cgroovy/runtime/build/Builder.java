package io.cgroovy.runtime.build;

import io.cgroovy.image.ImageConfig;
import io.cgroovy.image.ImageRecord;
import io.cgroovy.image.ImageStore;
import io.cgroovy.image.LayerTree;
import io.cgroovy.image.LayerWriter;
import io.cgroovy.image.Snapshot;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.ContainerSettings;
import io.cgroovy.runtime.Engine;
import io.cgroovy.runtime.KeptContainer;
import io.cgroovy.runtime.RunResult;
import io.cgroovy.runtime.Security;
import io.cgroovy.runtime.Stdio;
import io.cgroovy.runtime.fs.TreeCopy;
import io.cgroovy.runtime.fs.UpperChanges;
import io.cgroovy.runtime.spec.RootfsView;
import io.cgroovy.runtime.spec.UserSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds images from stages of {@link BuildStep}s: each step that changes the filesystem
 * (RUN, COPY, ADD, a WORKDIR that must be made) becomes one layer, every other step a config
 * change; each step's result is an (unlisted) image the build cache points at.
 *
 * <p>Reproducible by default: config and history times are the source date (SOURCE_DATE_EPOCH,
 * else 0 = 1970-01-01), layer mtimes are clamped to it (buildkit's rewrite-timestamp), layer
 * tars are deterministic and stored uncompressed, so the same steps and inputs give the same
 * image id on any machine. RUN steps run as containers without network.
 */
public final class Builder {
    /**
     * @param context         the build context (COPY/ADD sources)
     * @param buildArgs       values for ARG (docker build --build-arg)
     * @param noCache         run every step even when the cache has it
     * @param sourceDateEpoch seconds since the epoch for every timestamp the build writes
     * @param tags            names for the result
     * @param log             where the step lines go ("Step 1/5 : FROM busybox")
     * @param stdio           where RUN steps' output goes
     */
    public record Options(Path context, Map<String, String> buildArgs, boolean noCache, long sourceDateEpoch,
                          List<String> tags, DockerIgnore ignore, PrintStream log, Stdio stdio) {
        public Options {
            buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
            tags = tags == null ? List.of() : List.copyOf(tags);
            ignore = ignore == null ? DockerIgnore.NONE : ignore;
            log = log == null ? new PrintStream(java.io.OutputStream.nullOutputStream()) : log;
            stdio = stdio == null ? Stdio.of(null, null, null) : stdio;
        }

        /** SOURCE_DATE_EPOCH from the environment, or 0. */
        public static long defaultEpoch() {
            String e = System.getenv("SOURCE_DATE_EPOCH");
            if (e == null || e.isBlank()) return 0;
            try {
                return Long.parseLong(e.trim());
            } catch (NumberFormatException x) {
                throw new ContainerException("SOURCE_DATE_EPOCH '" + e + "' is not a number of seconds");
            }
        }
    }

    /** What a build made, and how much work it did: steps executed vs taken from the cache. */
    public record Result(String imageId, int stepsRun, int cacheHits) {}

    private final Engine engine;
    private final ImageStore images;
    private final BuildCache cache;

    public Builder(Engine engine) {
        this.engine = engine;
        this.images = engine.images();
        this.cache = new BuildCache(engine.root());
    }

    /**
     * What {@link #pruneCache()} removed: cache entries, the build-step images only the cache
     * held, and the bytes of blobs freed with them.
     */
    public record CachePruned(int entries, List<String> images, long bytesFreed) {}

    /**
     * docker builder prune: drops every build cache entry and the untagged build-step images no
     * container uses, with the layers only they held. Tagged images (also built ones) stay whole;
     * the next build of a recipe runs its steps again.
     */
    public CachePruned pruneCache() {
        int entries = cache.clear();
        ImageStore.Pruned p = images.pruneBuildImages(engine.imagesInUse());
        return new CachePruned(entries, p.ids(), p.bytesFreed());
    }

    /** State of the stage being built. */
    static final class State {
        String image;                       // null: scratch with nothing yet
        ImageConfig.Runtime config = new ImageConfig.Runtime();
        List<String> shell = List.of("/bin/sh", "-c");
        final Map<String, String> args = new LinkedHashMap<>();
    }

    public Result build(List<Stage> stages, Options o) {
        if (stages.isEmpty()) throw new ContainerException("nothing to build: no FROM");
        int total = 0;
        for (Stage s : stages) total += 1 + s.steps().size();
        int n = 0;
        int run = 0;
        int hits = 0;
        Map<String, String> stageImages = new HashMap<>();
        String created = Instant.ofEpochSecond(o.sourceDateEpoch()).toString();
        State st = null;
        for (int si = 0; si < stages.size(); si++) {
            Stage stage = stages.get(si);
            st = new State();
            n++;
            o.log().println("Step " + n + "/" + total + " : FROM " + stage.from() + (stage.name() != null ? " AS " + stage.name() : ""));
            if (stageImages.containsKey(stage.from())) {
                st.image = stageImages.get(stage.from());
            } else if (!stage.from().equals("scratch")) {
                try {
                    st.image = images.inspect(stage.from()).id();
                } catch (RuntimeException e) {
                    throw new ContainerException(stage.where() + ": FROM " + stage.from() + ": " + e.getMessage());
                }
            }
            if (st.image != null) st.config = copy(images.config(st.image).config);
            o.log().println(" ---> " + (st.image == null ? "scratch" : shortId(st.image)));
            for (BuildStep step : stage.steps()) {
                n++;
                o.log().println("Step " + n + "/" + total + " : " + step.describe());
                // the source date is part of what a step writes (its times), so of its key
                String key = BuildCache.key(st.image == null ? "scratch" : st.image, step.describe(), inputs(step, st, stageImages, o),
                        Long.toString(o.sourceDateEpoch()));
                var cached = o.noCache() ? java.util.Optional.<String>empty() : cache.get(key).filter(this::present);
                if (step instanceof BuildStep.Arg a) declare(st, a, o);
                if (step instanceof BuildStep.Shell sh) st.shell = sh.argv();
                if (cached.isPresent()) {
                    st.image = cached.get();
                    st.config = copy(images.config(st.image).config);
                    hits++;
                    o.log().println(" ---> Using cache");
                } else {
                    try {
                        st.image = execute(step, st, stageImages, o, created);
                    } catch (ContainerException | io.cgroovy.image.ImageException e) {
                        String m = e.getMessage();
                        throw new ContainerException(m.startsWith(step.where()) ? m : step.where() + ": " + m, e);
                    }
                    st.config = copy(images.config(st.image).config);
                    cache.put(key, st.image);
                    run++;
                }
                o.log().println(" ---> " + shortId(st.image));
            }
            if (st.image == null) {
                st.image = images.commit(null, null, st.config, created, "FROM scratch", null, List.of(), true).id();
            }
            stageImages.put(Integer.toString(si), st.image);
            if (stage.name() != null) stageImages.put(stage.name(), st.image);
        }
        String id = st.image;
        for (String t : o.tags()) images.tag(id, t);
        o.log().println("Successfully built " + shortId(id));
        for (String t : o.tags()) o.log().println("Successfully tagged " + t);
        return new Result(id, run, hits);
    }

    private boolean present(String id) {
        try {
            images.inspect(id);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void declare(State st, BuildStep.Arg a, Options o) {
        String v = o.buildArgs().containsKey(a.name()) ? o.buildArgs().get(a.name()) : a.value();
        if (v != null) st.args.put(a.name(), v);
    }

    /** What besides the step's text decides its result: build-arg values for RUN, file digests for COPY/ADD. */
    private String inputs(BuildStep step, State st, Map<String, String> stageImages, Options o) {
        if (step instanceof BuildStep.Run) return new java.util.TreeMap<>(st.args).toString() + " " + st.shell;
        if (step instanceof BuildStep.Arg a) return String.valueOf(o.buildArgs().get(a.name()));
        if (step instanceof BuildStep.Copy c) {
            if (c.from() != null) return "from " + sourceImage(c.from(), stageImages) + " workdir " + st.config.workingDir;
            return ContextFiles.digest(o.context(), c.sources(), o.ignore(), c.where()) + " workdir " + st.config.workingDir;
        }
        if (step instanceof BuildStep.Workdir) return "workdir " + st.config.workingDir;
        return "";
    }

    private String execute(BuildStep step, State st, Map<String, String> stageImages, Options o, String created) {
        ImageConfig.Runtime c = copy(st.config);
        String by = step.describe();
        if (step instanceof BuildStep.Run r) return run(r, st, o, created);
        if (step instanceof BuildStep.Copy cp) return copyStep(cp, st, stageImages, o, created);
        if (step instanceof BuildStep.Workdir w) {
            c.workingDir = resolvePath(st.config.workingDir, w.path());
            if (st.image != null && exists(st.image, c.workingDir)) return images.commit(st.image, null, c, created, by, null, List.of(), true).id();
            return withStaged(st, o, created, by, c, upper -> mkdirs(st, upper, c.workingDir, 0, 0));
        } else if (step instanceof BuildStep.Env e) {
            Map<String, String> env = envMap(c.env);
            env.putAll(e.vars());
            c.env = envList(env);
        } else if (step instanceof BuildStep.Label l) {
            Map<String, String> m = c.labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.labels);
            m.putAll(l.labels());
            c.labels = m;
        } else if (step instanceof BuildStep.User u) {
            c.user = u.user();
        } else if (step instanceof BuildStep.Expose x) {
            Map<String, Object> m = c.exposedPorts == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.exposedPorts);
            for (String p : x.ports()) {
                // Docker's form: "53/udp"; a range "9000-9001" is each of its ports
                int slash = p.indexOf('/');
                String proto = slash < 0 ? "tcp" : p.substring(slash + 1);
                String[] range = (slash < 0 ? p : p.substring(0, slash)).split("-");
                int lo = Integer.parseInt(range[0]), hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                for (int port = lo; port <= hi; port++) m.put(port + "/" + proto, Map.of());
            }
            c.exposedPorts = m;
        } else if (step instanceof BuildStep.Volume v) {
            Map<String, Object> m = c.volumes == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.volumes);
            for (String p : v.paths()) m.put(p, Map.of());
            c.volumes = m;
        } else if (step instanceof BuildStep.Entrypoint e) {
            c.entrypoint = e.argv();
            c.cmd = null; // Docker: an ENTRYPOINT resets the CMD the base image set
        } else if (step instanceof BuildStep.Cmd cm) {
            c.cmd = cm.argv();
        }
        // SHELL and ARG change only the builder's state; they are recorded in the history
        return images.commit(st.image, null, c, created, by, null, List.of(), true).id();
    }

    private String run(BuildStep.Run r, State st, Options o, String created) {
        if (st.image == null) throw new ContainerException("RUN needs an image with a filesystem (FROM scratch has none yet)");
        ContainerSettings s = new ContainerSettings(st.image, null, r.argv(), st.args, null, null, null, null,
                Security.DEFAULT, List.of(), true);
        RunResult result = engine.run(s, o.stdio());
        try {
            if (result.exitCode() != 0) {
                throw new ContainerException("the command '" + String.join(" ", r.argv()) + "' returned a non-zero code: " + result.exitCode());
            }
            KeptContainer k = engine.kept(result.id());
            Path upper = engine.upperDir(k);
            UpperChanges changes = UpperChanges.of(upper, lowerTopFirst(st.image), k.mounts());
            Path tar = upper.resolveSibling("layer.tar");
            LayerWriter.write(upper, changes::included, o.sourceDateEpoch(), tar);
            return images.commit(st.image, tar, copy(st.config), created, r.describe(), null, List.of(), true).id();
        } finally {
            engine.removeContainer(result.id());
        }
    }

    private String copyStep(BuildStep.Copy cp, State st, Map<String, String> stageImages, Options o, String created) {
        int uid = 0, gid = 0;
        if (cp.chown() != null) {
            UserSpec.Resolved u = UserSpec.resolve(cp.chown(), new RootfsView(st.image == null ? List.of() : images.snapshot(st.image).layers()));
            uid = (int) u.uid();
            gid = (int) u.gid();
        }
        int fu = uid, fg = gid;
        String dest = resolvePath(st.config.workingDir, cp.dest());
        boolean destDir = cp.dest().endsWith("/") || cp.sources().size() > 1;
        if (cp.from() != null) {
            String from = sourceImage(cp.from(), stageImages);
            Path out = engine.root().resolve("build").resolve(".tmp-from-" + UUID.randomUUID());
            try {
                Files.createDirectories(out);
                List<ContextFiles.Source> srcs = new ArrayList<>();
                List<Path> layers = lowerTopFirst(from);
                for (String src : cp.sources()) {
                    Path local = out.resolve(Integer.toString(srcs.size()));
                    Files.createDirectories(local);
                    Path got = TreeCopy.copyOut(layers, src.startsWith("/") ? src : "/" + src, local);
                    srcs.add(new ContextFiles.Source(got, null));
                }
                return withStaged(st, o, created, cp.describe(), copy(st.config),
                        upper -> ContextFiles.place(this, st, upper, srcs, dest, destDir, false, fu, fg, DockerIgnore.NONE));
            } catch (IOException e) {
                throw new ContainerException("COPY --from=" + cp.from() + ": " + e.getMessage(), e);
            } finally {
                Engine.removeTreeOnOneFs(out);
            }
        }
        List<ContextFiles.Source> srcs = ContextFiles.select(o.context(), cp.sources(), o.ignore(), cp.where());
        return withStaged(st, o, created, cp.describe(), copy(st.config),
                upper -> ContextFiles.place(this, st, upper, srcs, dest, destDir, cp.add(), fu, fg, o.ignore()));
    }

    private String sourceImage(String from, Map<String, String> stageImages) {
        if (stageImages.containsKey(from)) return stageImages.get(from);
        return images.inspect(from).id();
    }

    interface Stager {
        void stage(Path upper) throws IOException;
    }

    /** Stages a layer in an empty upper dir over the current image, then commits it. */
    private String withStaged(State st, Options o, String created, String by, ImageConfig.Runtime config, Stager s) {
        Path dir = engine.root().resolve("build").resolve(".tmp-" + UUID.randomUUID());
        try {
            Path upper = Files.createDirectories(dir.resolve("upper"));
            s.stage(upper);
            Path tar = dir.resolve("layer.tar");
            LayerWriter.write(upper, p -> true, o.sourceDateEpoch(), tar);
            return images.commit(st.image, tar, config, created, by, null, List.of(), true).id();
        } catch (IOException e) {
            throw new ContainerException(by + ": " + e.getMessage(), e);
        } finally {
            Engine.removeTreeOnOneFs(dir);
        }
    }

    /** Makes the directories of {@code path} in {@code upper} (copy-up of those the image has, new ones 0755). */
    Path mkdirs(State st, Path upper, String path, int uid, int gid) throws IOException {
        List<Path> all = new ArrayList<>();
        all.add(upper);
        if (st.image != null) all.addAll(lowerTopFirst(st.image));
        LayerTree merged = new LayerTree(all);
        Path cur = upper;
        StringBuilder at = new StringBuilder();
        for (String c : LayerTree.components(path)) {
            at.append('/').append(c);
            Path next = cur.resolve(c);
            var a = LayerTree.attrs(next);
            if (a == null) {
                LayerTree.Node n = TreeCopy.lookup(merged, at.toString());
                if (n != null && !n.isDirectory()) throw new ContainerException(at + " is not a directory in the image");
                if (n != null) {
                    TreeCopy.copyUpParents(merged, upper, LayerTree.components(at.toString()));
                } else {
                    Files.createDirectory(next);
                    LayerTree.chown(next, uid, gid);
                    LayerTree.chmod(next, 0755);
                }
            } else if (!a.isDirectory()) {
                throw new ContainerException(at + " is not a directory");
            }
            cur = next;
        }
        return cur;
    }

    /** True when {@code path} exists in the image (as the merged view shows it). */
    boolean exists(String image, String path) {
        return TreeCopy.lookup(new LayerTree(lowerTopFirst(image)), path) != null;
    }

    /** Whether {@code path} is a directory in the image under construction (the upper staged so far included). */
    boolean isDir(State st, Path upper, String path) {
        List<Path> all = new ArrayList<>();
        all.add(upper);
        if (st.image != null) all.addAll(lowerTopFirst(st.image));
        LayerTree.Node n = TreeCopy.lookup(new LayerTree(all), path);
        return n != null && n.isDirectory();
    }

    List<Path> lowerTopFirst(String image) {
        Snapshot s = images.snapshot(image);
        List<Path> l = new ArrayList<>(s.layers());
        Collections.reverse(l);
        return l;
    }

    static String resolvePath(String workdir, String p) {
        if (p.startsWith("/")) return p;
        String base = workdir == null || workdir.isBlank() ? "/" : workdir;
        String joined = base.endsWith("/") ? base + p : base + "/" + p;
        return Path.of(joined).normalize().toString();
    }

    private static Map<String, String> envMap(List<String> env) {
        Map<String, String> m = new LinkedHashMap<>();
        if (env != null) {
            for (String e : env) {
                int eq = e.indexOf('=');
                if (eq > 0) m.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        return m;
    }

    private static List<String> envList(Map<String, String> m) {
        List<String> l = new ArrayList<>();
        m.forEach((k, v) -> l.add(k + "=" + v));
        return l;
    }

    static ImageConfig.Runtime copy(ImageConfig.Runtime r) {
        ImageConfig.Runtime c = new ImageConfig.Runtime();
        if (r == null) return c;
        c.user = r.user;
        c.env = r.env == null ? null : new ArrayList<>(r.env);
        c.entrypoint = r.entrypoint == null ? null : new ArrayList<>(r.entrypoint);
        c.cmd = r.cmd == null ? null : new ArrayList<>(r.cmd);
        c.workingDir = r.workingDir;
        c.labels = r.labels == null ? null : new LinkedHashMap<>(r.labels);
        c.exposedPorts = r.exposedPorts == null ? null : new LinkedHashMap<>(r.exposedPorts);
        c.volumes = r.volumes == null ? null : new LinkedHashMap<>(r.volumes);
        c.stopSignal = r.stopSignal;
        return c;
    }

    private static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** For ImageRecord users: the record of a built image. */
    public ImageRecord record(Result r) {
        return images.inspect(r.imageId());
    }
}

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.*;
import java.util.stream.Stream;

/**
 * Runs every spec class of one module's test-classes directory (the classes Surefire would run: *Spec, *Test,
 * except those tagged {@code kernel-agnostic})
 * through the JUnit Platform launcher, in this JVM, and judges the result for the cgroup v2 guest run.
 *
 * <p>usage: SpecRunner MODULE TEST_CLASSES_DIR SUMMARY_FILE [CLASS_REGEX]
 *
 * <p>Fails (exit 1) when a test fails, when no test of the module ran, when a skipped test gives no reason
 * (Spock's bare "Ignored via @IgnoreIf": give {@code reason = '...'}), or when a spec class leaves a
 * directory behind under /sys/fs/cgroup (every spec must remove the cgroups it made). Appends
 * "MODULE passed failed skipped seconds" to SUMMARY_FILE.
 */
public class SpecRunner {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    /** Specs tagged so touch no kernel feature (files and the JVM only): the host run has them, this one leaves them out. */
    static final String AGNOSTIC = "kernel-agnostic";

    public static void main(String[] args) throws IOException {
        String module = args[0];
        Path classes = Path.of(args[1]).toAbsolutePath();
        Path summary = Path.of(args[2]);
        // what failed and why, for the script to print last (a CI log's tail is what is read first)
        Path failures = summary.resolveSibling("failures");
        String only = args.length > 3 && !args[3].isEmpty() ? args[3] : ".*";
        long t0 = System.nanoTime();
        // in the guest nothing else makes cgroups, so anything new after a spec class is that class's leak
        boolean checkLeaks = "1".equals(System.getenv("UML_GUEST"));
        Set<Path> cgroupsBefore = checkLeaks ? cgroupDirs() : new HashSet<>();

        Map<String, int[]> perClass = new TreeMap<>(); // passed, failed, skipped
        List<String> problems = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        TestPlan[] plan = new TestPlan[1];
        Map<String, Long> startedAt = new HashMap<>();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClasspathRoots(Set.of(classes)))
                .filters(ClassNameFilter.includeClassNamePatterns(".*Spec", ".*Test"),
                         ClassNameFilter.includeClassNamePatterns("(.*\\.)?(" + only + ")"),
                         // SPECRUNNER_ALL=1: the kernel-agnostic ones too (a quick check of some specs on the host)
                         "1".equals(System.getenv("SPECRUNNER_ALL")) ? TagFilter.excludeTags("none") : TagFilter.excludeTags(AGNOSTIC))
                .build(),
            new TestExecutionListener() {
                public void testPlanExecutionStarted(TestPlan p) { plan[0] = p; }

                String classOf(TestIdentifier id) {
                    for (Optional<TestIdentifier> t = Optional.of(id); t.isPresent(); t = plan[0].getParent(t.get())) {
                        if (t.get().getSource().orElse(null) instanceof ClassSource cs) return cs.getClassName();
                    }
                    return "(engine)";
                }

                String name(TestIdentifier id) {
                    String c = classOf(id);
                    return c.substring(c.lastIndexOf('.') + 1) + " > " + id.getDisplayName();
                }

                int[] counts(TestIdentifier id) { return perClass.computeIfAbsent(classOf(id), k -> new int[3]); }

                boolean isClass(TestIdentifier id) { return id.getSource().orElse(null) instanceof ClassSource; }

                public void executionStarted(TestIdentifier id) {
                    startedAt.put(id.getUniqueId(), System.nanoTime());
                    if (isClass(id)) System.out.println("== " + classOf(id));
                }

                public void executionSkipped(TestIdentifier id, String reason) {
                    counts(id)[2]++;
                    System.out.println("[SKIPPED] " + name(id) + ": " + reason);
                    if (reason == null || reason.isBlank() || reason.matches("Ignored via @\\w+")) { // Spock says just this without a reason
                        problems.add(name(id) + " is skipped without saying why (give its @IgnoreIf/@Requires a reason = '...')");
                    }
                }

                public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                    double s = (System.nanoTime() - startedAt.getOrDefault(id.getUniqueId(), System.nanoTime())) / 1e9;
                    if (r.getStatus() == TestExecutionResult.Status.ABORTED) { // a JUnit assumption: a skip that says why
                        executionSkipped(id, r.getThrowable().map(Throwable::getMessage).orElse(null));
                    } else if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        counts(id)[1]++;
                        System.out.printf("[FAILED] %s (%.1f s)%n", name(id), s);
                        r.getThrowable().ifPresent(Throwable::printStackTrace);
                        r.getThrowable().ifPresent(t -> noteFailure(failures, name(id), t));
                        problems.add(name(id) + " failed");
                    } else if (id.isTest()) {
                        counts(id)[0]++;
                        System.out.printf("[OK] %s (%.1f s)%n", name(id), s);
                    }
                    if (isClass(id)) System.out.printf("== %s: %.1f s%n", classOf(id), s);
                    if (isClass(id) && checkLeaks) {
                        Set<Path> left = new TreeSet<>(cgroupDirs());
                        left.removeAll(cgroupsBefore);
                        if (!left.isEmpty()) {
                            List<Path> some = new ArrayList<>(left).subList(0, Math.min(5, left.size()));
                            problems.add(classOf(id) + " left " + left.size() + " cgroups behind: " + some + (left.size() > 5 ? " ..." : ""));
                            cgroupsBefore.addAll(left); // report each leak once
                        }
                    }
                }
            });

        int passed = 0, failed = 0, skipped = 0;
        for (Map.Entry<String, int[]> e : perClass.entrySet()) {
            int[] n = e.getValue();
            passed += n[0]; failed += n[1]; skipped += n[2];
            System.out.printf("  %-55s %4d passed %3d failed %3d skipped%n", e.getKey(), n[0], n[1], n[2]);
        }
        // with a SPECS filter a module may have no matching class; the script's total still must not be zero
        if (passed == 0 && !(perClass.isEmpty() && !only.equals(".*"))) problems.add("no test of " + module + " ran");
        double secs = (System.nanoTime() - t0) / 1e9;
        for (String p : problems) System.out.println("ERROR: " + p);
        List<String> others = problems.stream().filter(p -> !p.endsWith(" failed")).map(p -> "ERROR: " + p).toList();
        if (!others.isEmpty()) Files.write(failures, others, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.printf("%s: %d passed, %d failed, %d skipped in %.0f s%s%n", module, passed, failed, skipped, secs,
                problems.isEmpty() ? "" : " -- FAILED");
        Files.writeString(summary, String.format("%s %d %d %d %.0f %d%n", module, passed, failed, skipped, secs, problems.size()),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** Appends the failure's message and its first frames in the spec (at most 40 lines) to {@code file}. */
    static void noteFailure(Path file, String name, Throwable t) {
        List<String> lines = new ArrayList<>();
        lines.add("[FAILED] " + name);
        String message = String.valueOf(t);
        message.lines().limit(30).forEach(l -> lines.add("    " + l));
        Arrays.stream(t.getStackTrace()).filter(f -> f.getClassName().startsWith("io.cgroovy")).limit(5)
                .forEach(f -> lines.add("      at " + f));
        try {
            Files.write(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot note the failure in " + file + ": " + e.getMessage());
        }
    }

    /** Every directory under /sys/fs/cgroup (empty when it cannot be walked). */
    static Set<Path> cgroupDirs() {
        Set<Path> out = new HashSet<>();
        if (!Files.isDirectory(CGROUP)) return out;
        try (Stream<Path> s = Files.walk(CGROUP)) {
            s.filter(Files::isDirectory).forEach(out::add);
        } catch (IOException | UncheckedIOException e) {
            // a cgroup removed while walking: take the next snapshot
        }
        return out;
    }
}

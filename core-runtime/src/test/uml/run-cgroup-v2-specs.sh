#!/usr/bin/env bash
# Runs the cgroup specs on a real cgroup v2 kernel: a User-mode Linux guest (../shared/uml/run) with cgroup2
# at /sys/fs/cgroup. The build stays on the host (Maven compiles the specs and prints the test classpath);
# only the JVM running the specs boots in the guest, through the JUnit Platform launcher.
#
# Fails when a spec fails, when no test ran, or when a spec that must run on v2 was skipped (the v1-only
# spec is the one allowed to skip). Run from anywhere, as root:  core-runtime/src/test/uml/run-cgroup-v2-specs.sh
#
# Settings: MVN (mvn), MVN_FLAGS (-B -ntp -q), UML_RUN (<repo>/../shared/uml/run), UML_MEM (1536M),
#           UML_TIMEOUT (900), SPECS (default list below; '?' before a name = may be skipped).
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"

MVN=${MVN:-mvn}
read -r -a mvn_flags <<<"${MVN_FLAGS:--B -ntp -q}"
UML_RUN=${UML_RUN:-$top/../shared/uml/run}
[ -x "$UML_RUN" ] || UML_RUN=/work/shared/uml/run
[ -x "$UML_RUN" ] || { echo "run-cgroup-v2-specs: no UML runner at $UML_RUN (set UML_RUN)" >&2; exit 2; }
pkg=io.cgroovy.runtime.cgroup
SPECS=${SPECS:-"$pkg.CgroupMountsSpec $pkg.CgroupSpec $pkg.CgroupV2Spec ?$pkg.CgroupV1Spec"}

work=core-runtime/target/uml-cgroup
rm -rf "$work"
mkdir -p "$work/runner" "$work/lib"

# 1. compile main + test classes and write the test classpath (offline first, the network only if that fails)
mvn_run() { "$MVN" "${mvn_flags[@]}" -o "$@" || "$MVN" "${mvn_flags[@]}" "$@"; }
mvn_run -pl core-runtime -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$top/$work/classpath.txt"
cp_deps=$(cat "$work/classpath.txt")
case "$cp_deps" in *spock-core*) ;; *) echo "run-cgroup-v2-specs: spock-core missing from $work/classpath.txt" >&2; exit 2 ;; esac

# 2. the JUnit Platform launcher of the same version as the engine Spock runs on
engine_jar=$(tr ':' '\n' <<<"$cp_deps" | grep '/junit-platform-engine-[^/]*\.jar$' | head -n1)
version=$(basename "$engine_jar" .jar); version=${version#junit-platform-engine-}
mvn_run -pl core-runtime dependency:copy -Dartifact="org.junit.platform:junit-platform-launcher:$version" \
  -DoutputDirectory="$top/$work/lib"
cp="$top/core-runtime/target/test-classes:$top/core-runtime/target/classes:$cp_deps:$(ls "$top/$work"/lib/*.jar | tr '\n' ':')"

# 3. a small launcher main (compiled here: javac is slow in the guest)
cat >"$work/runner/CgroupSpecRunner.java" <<'EOF'
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.*;

/** Runs spec classes; args are class names, '?' before one = it may be skipped entirely. Exit 0 only if all is well. */
public class CgroupSpecRunner {
    public static void main(String[] args) {
        List<String> classes = new ArrayList<>();
        Set<String> maySkip = new HashSet<>();
        for (String a : args) {
            String c = a.startsWith("?") ? a.substring(1) : a;
            if (a.startsWith("?")) maySkip.add(c);
            classes.add(c);
        }
        Map<String, int[]> perClass = new LinkedHashMap<>(); // ok, failed, skipped
        for (String c : classes) perClass.put(c, new int[3]);
        Launcher launcher = LauncherFactory.create();
        TestPlan[] plan = new TestPlan[1];
        long[] started = {System.nanoTime()};
        int[] otherFailures = {0};
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(classes.stream().map(DiscoverySelectors::selectClass).toList()).build(),
            new TestExecutionListener() {
                public void testPlanExecutionStarted(TestPlan p) { plan[0] = p; }

                String classOf(TestIdentifier id) {
                    for (Optional<TestIdentifier> t = Optional.of(id); t.isPresent(); t = plan[0].getParent(t.get())) {
                        if (t.get().getSource().orElse(null) instanceof ClassSource cs) return cs.getClassName();
                    }
                    return "?";
                }

                String name(TestIdentifier id) {
                    String c = classOf(id);
                    return c.substring(c.lastIndexOf('.') + 1) + " > " + id.getDisplayName();
                }

                public void executionStarted(TestIdentifier id) { if (id.isTest()) started[0] = System.nanoTime(); }

                public void executionSkipped(TestIdentifier id, String reason) {
                    int[] n = perClass.get(classOf(id));
                    if (n != null) n[2]++;
                    System.out.println("[SKIPPED] " + name(id) + ": " + reason);
                }

                public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                    int[] n = perClass.get(classOf(id));
                    if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        if (n != null) n[1]++; else otherFailures[0]++;
                        System.out.println("[FAILED] " + name(id));
                        r.getThrowable().ifPresent(Throwable::printStackTrace);
                    } else if (id.isTest() && n != null) {
                        n[0]++;
                        System.out.printf("[OK] %s (%.1f s)%n", name(id), (System.nanoTime() - started[0]) / 1e9);
                    }
                }
            });
        boolean bad = false;
        int total = 0;
        for (Map.Entry<String, int[]> e : perClass.entrySet()) {
            int[] n = e.getValue();
            total += n[0];
            System.out.printf("%s: %d passed, %d failed, %d skipped%n", e.getKey(), n[0], n[1], n[2]);
            if (n[1] > 0) bad = true;
            if (n[0] == 0 && !maySkip.contains(e.getKey())) {
                System.out.println("ERROR: no test of " + e.getKey() + " ran (it must run on this kernel)");
                bad = true;
            }
        }
        if (otherFailures[0] > 0) { System.out.println("ERROR: " + otherFailures[0] + " engine-level failures"); bad = true; }
        if (total == 0) { System.out.println("ERROR: no test ran"); bad = true; }
        System.out.println(bad ? "CGROUP SPECS FAILED" : "CGROUP SPECS PASSED (" + total + " tests)");
        System.exit(bad ? 1 : 0);
    }
}
EOF
javac -d "$work/runner" -cp "$cp" "$work/runner/CgroupSpecRunner.java"

# 4. boot the guest and run them there (guest cwd = $top, read-write; the host's ~/.m2 is readable)
read -r -a specs <<<"$SPECS"
echo "run-cgroup-v2-specs: ${specs[*]}" >&2
exec "$UML_RUN" --mem "${UML_MEM:-1536M}" --timeout "${UML_TIMEOUT:-900}" -- \
  sh -c 'test "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs || { echo "guest has no cgroup2 at /sys/fs/cgroup" >&2; exit 3; }
         exec "$@"' guest \
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss1m -cp "$top/$work/runner:$cp" CgroupSpecRunner "${specs[@]}"

#!/usr/bin/env bash
# Detached starts: N (50) `sleep` containers started detached with cgroovy (one warm JVM, like the
# shell) and with `podman run -d` (network none, cgroupfs, file events, a throwaway root/runroot
# under /tmp, the same busybox image exported from cgroovy's store and loaded with skopeo), after one
# warm-up container each. Prints the total time of each, the resident memory (RSS, and PSS) per
# container of cgroovy's monitor and of conmon, and the ratios. Removes everything it made.
#
# Podman on these hosts needs --ulimit nofile/nproc at the hard limit (no CAP_SYS_RESOURCE, see
# HOST-NOTES.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
for t in podman conmon skopeo; do command -v $t >/dev/null || { echo "bench: $t is not installed (scripts/install-deps)" >&2; exit 1; }; done
[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
N=${N:-50}
mvn -q -B -o -pl core-runtime -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="core-runtime/target/classes:image-store/target/classes:$(cat core-runtime/target/bench.classpath)"
exec java -XX:+UseSerialGC -cp "$cp" groovy.ui.GroovyMain bench/DetachBench.groovy "$N"

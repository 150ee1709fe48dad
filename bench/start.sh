#!/usr/bin/env bash
# Start latency: `true` in the busybox image, N (200) times through cgroovy (engine warm, one JVM)
# and N times through `crun run` on a bundle cgroovy wrote (its config.json, the rootfs overlay of
# the same layer dirs mounted for crun), both spawned from the same JVM and waited for.
# Prints both medians and the ratio. Then the same on a bridge network (a user network: bridge, veth,
# address and route over rtnetlink, host-local-form addresses, the engine's nftables table; NB runs),
# the network set-up and teardown alone, a veth pair made and deleted by one `ip -batch` (what a
# synchronous veth delete costs; teardown leaves it to the kernel's netns cleanup), and
# `podman run --network none|bridge` (NP runs; throwaway --root/--runroot, busybox copied in by
# skopeo from our store, cgroupfs and the ulimit flags of HOST-NOTES.md).
#
# crun 1.8 refuses this host's hybrid cgroup layout, so the whole run happens in a private
# mount namespace without the cgroup2 mount (HOST-NOTES.md); the host is untouched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v crun >/dev/null || { echo "bench: crun is not installed (apt-get install crun)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: must run as root" >&2; exit 1; }
N=${N:-200}; NB=${NB:-50}; NP=${NP:-20}
mvn -q -B -o -pl core-runtime -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="core-runtime/target/classes:image-store/target/classes:$(cat core-runtime/target/bench.classpath)"
exec unshare -m --propagation private sh -c '
  if grep -q " /sys/fs/cgroup/unified " /proc/self/mountinfo; then umount /sys/fs/cgroup/unified; fi
  exec java -XX:+UseSerialGC -cp "$1" groovy.ui.GroovyMain bench/StartBench.groovy "$2" "$3" "$4"
' sh "$cp" "$N" "$NB" "$NP"

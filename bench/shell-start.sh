#!/usr/bin/env bash
# Cold start of the interactive shell: time from exec to the first `cgroovy> ` prompt on a real
# pseudo-terminal (util-linux `script`), a new JVM each run, N (10) runs; prints the median.
# Peers in the same run, each started the same way on a pty:
#   - jvm-hello: `java` (same flags as the launcher) running a class that prints a prompt and
#     reads a line: the floor any JVM shell pays;
#   - docker --version / podman version, when installed (a Go CLI that only prints and exits).
# Prints each median and cgroovy's ratio to each peer.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10}
launcher="$top/scripts/cgroovy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap "" PIPE   # a peer that exits at once closes its pty before Ctrl-D is written

# build once (and let the first run write the class-data archive) outside the measurement
CGROOVY_ROOT="$tmp/root" CGROOVY_HISTORY="$tmp/history" "$launcher" </dev/null >/dev/null 2>&1 || true
CGROOVY_ROOT="$tmp/root" CGROOVY_HISTORY="$tmp/history" "$launcher" </dev/null >/dev/null 2>&1 || true

now() { date +%s%N; }

# Starts `$1` (a shell command) on a pty, waits until the output shows the text `$2` followed by '>',
# sends Ctrl-D, prints the milliseconds it took to show that text.
time_to() {
  local cmd=$1 want=$2 t0 t1 chunk seen=
  t0=$(now)
  coproc PTY { TERM=xterm script -qfec "stty cols 120 rows 40; $cmd" /dev/null 2>&1; }
  local rd=${PTY[0]} wr=${PTY[1]} pid=$PTY_PID
  # read up to each '>' (or to the end): the prompt ends in '>' followed by a space
  while IFS= read -r -d '>' -t 60 chunk <&"$rd"; do
    if [[ "$chunk" == *"$want" ]]; then seen=yes; break; fi
  done
  t1=$(now)
  printf '\004' >&"$wr" 2>/dev/null || true
  exec {wr}>&-
  cat <&"$rd" >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  [ -n "$seen" ] || { echo "bench: '$cmd' never showed '$want'" >&2; exit 1; }
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# the JVM peer: a class that prints a prompt and reads a line, started like the launcher starts cgroovy
mkdir -p "$tmp/hello"
cat >"$tmp/hello/Hello.java" <<'EOF'
public class Hello {
    public static void main(String[] a) throws Exception {
        System.out.print("hello> ");
        System.out.flush();
        System.in.read();
    }
}
EOF
javac -d "$tmp/hello" "$tmp/hello/Hello.java"
jvm_flags="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-UsePerfData"

declare -A results
run_peer() {   # name, command, text to wait for
  local name=$1 cmd=$2 want=$3 ms all=()
  for _ in $(seq "$N"); do
    ms=$(time_to "$cmd" "$want")
    all+=("$ms")
  done
  results[$name]=$(printf '%s\n' "${all[@]}" | median)
  printf '%-14s median %5d ms over %d runs  (%s)\n' "$name" "${results[$name]}" "$N" "${all[*]}"
}

run_peer cgroovy "CGROOVY_ROOT=$tmp/root CGROOVY_HISTORY=$tmp/history exec $launcher" cgroovy
run_peer jvm-hello "exec java $jvm_flags -cp $tmp/hello Hello" hello
if command -v docker >/dev/null; then
  run_peer docker-version "docker --version; printf 'end>'" end
fi
if command -v podman >/dev/null; then
  run_peer podman-version "podman version >/dev/null 2>&1; printf 'end>'" end
fi

for peer in jvm-hello docker-version podman-version; do
  [ -n "${results[$peer]:-}" ] || continue
  awk -v a="${results[cgroovy]}" -v b="${results[$peer]}" -v p="$peer" \
    'BEGIN { printf "cgroovy / %-14s %.2fx\n", p, (b > 0 ? a / b : 0) }'
done

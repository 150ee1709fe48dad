#!/usr/bin/env bash
# Pull + unpack from a local registry: cgroovy against skopeo copy + umoci unpack, same run.
#
# Builds an image of FILES (28,000) small files of ~7 KiB (~200 MiB, part random so gzip keeps
# ~40%) on top of a busybox layer made from the host's busybox-static, with umoci; pushes it with
# skopeo to a docker-registry started here on 127.0.0.1 (config, storage and port of its own).
# Then RUNS (3) times each, every run into a fresh directory:
#   peer:    skopeo copy docker://... oci:DIR  +  umoci unpack --image DIR bundle
#   cgroovy: scripts/cgroovy run pull.cgroovy  (pull 'ref': fetch, verify, unpack every layer;
#            JVM start included)
# Prints both medians (wall and CPU time) and cgroovy/peer (goal: <= 0.8).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "bench: must run as root (umoci unpack keeps owners)" >&2; exit 1; }
for t in skopeo umoci docker-registry python3; do
  command -v "$t" >/dev/null || { echo "bench: $t is not installed (scripts/install-deps)" >&2; exit 1; }
done
FILES=${FILES:-28000}
RUNS=${RUNS:-3}

work=$(mktemp -d /var/tmp/cgroovy-bench-pull.XXXXXX)
reg_pid=
cleanup() {
  mountpoint -q "$work/out" 2>/dev/null && umount "$work/out"
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench: building the image ($FILES files)..." >&2
python3 - "$work/content" "$FILES" <<'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
words = b"container layer image registry manifest digest blob tar gzip overlay cgroup namespace "
for i in range(n):
    d = os.path.join(root, "d%03d" % (i // 250))
    if i % 250 == 0:
        os.makedirs(d, exist_ok=True)
    size = 5000 + rnd.randrange(4500)
    rand = rnd.randbytes(size * 2 // 5)
    text = (words * (size // len(words) + 1))[: size - len(rand)]
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(rand + text)
EOF
mkdir -p "$work/bbroot/bin"
cp /bin/busybox "$work/bbroot/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$work/bbroot/bin/$a"; done
umoci init --layout "$work/layout" >/dev/null
umoci new --image "$work/layout:b" >/dev/null
umoci insert --image "$work/layout:b" "$work/bbroot" / >/dev/null
umoci insert --image "$work/layout:b" "$work/content" /data >/dev/null
umoci config --image "$work/layout:b" --config.cmd sh >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
  secret: bench-$$
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v2/')" 2>/dev/null && break
  sleep 0.1
done
ref="127.0.0.1:$port/bench/files:1"
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$work/layout:b" "docker://$ref"
rm -rf "$work/layout"
size=$(du -sm "$work/registry" | cut -f1)
echo "bench: image $ref pushed (${size} MiB in the registry)" >&2

# build the launcher's jars once, outside the timing
echo 'println "ready"' >"$work/warm.cgroovy"
# twice: the first run after a build writes the launcher's class-data archive, which must not be timed
CGROOVY_ROOT="$work/warm" scripts/cgroovy run "$work/warm.cgroovy" >/dev/null
CGROOVY_ROOT="$work/warm2" scripts/cgroovy run "$work/warm.cgroovy" >/dev/null
echo "pull '$ref'" >"$work/pull.cgroovy"


median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# the floor: GNU tar alone unpacking the layer blobs skopeo fetched (no fetch, no verification)
layers_of() {
  python3 - "$1" <<'PY'
import json, sys, os
lay = sys.argv[1]
ix = json.load(open(os.path.join(lay, "index.json")))
m = json.load(open(os.path.join(lay, "blobs", *ix["manifests"][0]["digest"].split(":"))))
for l in m["layers"]:
    print(os.path.join(lay, "blobs", *l["digest"].split(":")))
PY
}
# runs a command; sets w (wall seconds) and c (CPU seconds: user+sys of it and its children)
timed() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@"
  read -r w c < <(awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/time")
}
# Nothing is deleted until the bench ends. This disk's ext4 has no journal, and without one ext4
# skips, when it allocates an inode, every inode deleted in the last 60 s (5 min while its table
# block is dirty): after an `rm -rf` of 28k files each new file costs a scan of them (perf: most of
# the time in recently_deleted/find_inode_bit), and the floor took 1.8 s or 25 s depending on what
# ran before it. Each part therefore writes a fresh tree next to the others', after a sync, and the
# order rotates per run so no part always follows the same one.
settle() { sync; }
# Where the timed parts write: by default a fresh ext4 (mkfs defaults, with its journal, as a user's
# disk has) on a loop file, which nothing else on the machine writes or deletes on; BENCH_FS=host
# writes beside the registry instead (this host's journal-less ext4, shared with whatever else runs).
if [ "${BENCH_FS:-loop}" = loop ]; then
  truncate -s 8G "$work/fs.img"
  mkfs.ext4 -q -F "$work/fs.img"
  mkdir "$work/out"
  mount -o loop "$work/fs.img" "$work/out"
  out="$work/out" fs="a fresh ext4 on a loop file"
else
  out="$work" fs="the host's file system ($(findmnt -no FSTYPE -T "$work"))"
fi
run_peer() {
  mkdir -p "$out/p.$i"
  timed sh -c 'skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$1" "oci:$2/layout:b" &&
                                umoci unpack --image "$2/layout:b" "$2/bundle" >/dev/null 2>&1' sh "$ref" "$out/p.$i"
  peer+=("$w") peer_cpu+=("$c")
  n_peer=$(find "$out/p.$i/bundle/rootfs" | wc -l)
  layers="$out/p.$i/layout"   # the floor unpacks what the peer fetched
  settle
}
run_floor() {
  mkdir -p "$out/f.$i"
  # umoci's layers end without tar's end-of-archive blocks, which GNU tar calls an error: add them
  timed sh -c 'for b in "$@"; do { gzip -dc "$b"; head -c 1024 /dev/zero; } | tar -x -C "$0" 2>/dev/null; done' \
    "$out/f.$i" $(layers_of "$layers")
  fl+=("$w") fl_cpu+=("$c")
  settle
}
run_cgroovy() {
  CGROOVY_ROOT="$out/c.$i" timed scripts/cgroovy run "$work/pull.cgroovy" 2>"$work/pull.err" >/dev/null \
    || { cat "$work/pull.err" >&2; exit 1; }
  cg+=("$w") cg_cpu+=("$c")
  n_cg=$(find "$out/c.$i/layers" -mindepth 1 | wc -l)
  n_cg=$((n_cg - $(find "$out/c.$i/layers" -mindepth 1 -maxdepth 1 | wc -l)))
  settle
}
peer=() cg=() fl=() peer_cpu=() cg_cpu=() fl_cpu=()
i=0; run_peer   # the floor unpacks the layers the peer fetched; this first peer run is not counted
peer=() peer_cpu=()
orders=("peer cgroovy floor" "cgroovy floor peer" "floor peer cgroovy")
for i in $(seq "$RUNS"); do
  order=${orders[$(( (i - 1) % 3 ))]}
  for part in $order; do "run_$part"; done
  echo "run $i ($order): peer ${peer[-1]} s (cpu ${peer_cpu[-1]} s, $n_peer entries), cgroovy ${cg[-1]} s (cpu ${cg_cpu[-1]} s, $n_cg entries), tar floor ${fl[-1]} s (cpu ${fl_cpu[-1]} s)" >&2
done
med() { printf '%s\n' "$@" | median; }
p=$(med "${peer[@]}") c=$(med "${cg[@]}") f=$(med "${fl[@]}")
pc=$(med "${peer_cpu[@]}") cc=$(med "${cg_cpu[@]}") fc=$(med "${fl_cpu[@]}")
printf 'pull+unpack of %s files (~200 MiB) from a local registry into %s, median of %s runs (load average at the end: %s)\n' \
  "$FILES" "$fs" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '                                     wall      cpu (user+sys)\n'
printf '  skopeo copy + umoci unpack:     %6.2f s  %6.2f s\n' "$p" "$pc"
printf '  cgroovy pull (JVM start incl.): %6.2f s  %6.2f s\n' "$c" "$cc"
printf '  floor (tar -x of the fetched layers, unverified): %6.2f s  %6.2f s\n' "$f" "$fc"
printf '  ratio cgroovy/peer:             %6.2f    %6.2f  (goal <= 0.8)\n' "$(echo "$c / $p" | bc -l)" "$(echo "$cc / $pc" | bc -l)"
printf '  ratio cgroovy/floor:            %6.2f    %6.2f\n' "$(echo "$c / $f" | bc -l)" "$(echo "$cc / $fc" | bc -l)"
echo '  (wall time counts only on an idle machine; cpu time holds under load)'

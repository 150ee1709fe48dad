#!/bin/sh
# Builds the executor, the monitor (monitor.c beside SOURCE; common.c compiled into both) and the syscall table for
# seccomp filters (called by Maven).
#   build.sh OUTDIR SOURCE
set -eu
out=$1
src=$2
mkdir -p "$out"
c=$(dirname "$src")
gcc -O2 -static -Wall -Wextra -Werror -o "$out/cgroovy-executor.tmp" "$src" "$c/common.c"
mv -f "$out/cgroovy-executor.tmp" "$out/cgroovy-executor"
# the monitor stays resident once per detached container: small and static, no heap
gcc -Os -static -Wall -Wextra -Werror -o "$out/cgroovy-monitor.tmp" "$c/monitor.c" "$c/common.c"
strip "$out/cgroovy-monitor.tmp"
mv -f "$out/cgroovy-monitor.tmp" "$out/cgroovy-monitor"
# "arch <gcc target>" then "<name> <number>" for every syscall of the build's architecture
{
  echo "arch $(gcc -dumpmachine)"
  echo '#include <sys/syscall.h>' | gcc -E -dM - | sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$/\1 \2/p' | sort
} > "$out/syscalls.txt.tmp"
mv -f "$out/syscalls.txt.tmp" "$out/syscalls.txt"

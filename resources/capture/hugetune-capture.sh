#!/bin/sh
# hugetune-capture.sh — captures the kernel files hugetune reads, and the boot loader's configuration
# (/etc/default/grub, BLS entries, /etc/kernel/cmdline, ...), into one snapshot (JSON on stdout), for
# machines where hugetune itself is not installed (headless servers). Read-only: it never writes to /proc
# or /sys. Needs only a POSIX sh and coreutils (cat, base64, date, uname); uses gzip if present to include
# the kernel config from /proc/config.gz.
#
#   sh hugetune-capture.sh > box.json            capture this machine
#   sh hugetune-capture.sh --redact > box.json   leave the host name out
#   sh hugetune-capture.sh --root DIR > box.json read a copied tree (DIR/proc/..., DIR/sys/...) instead of /
#
# Then open box.json in hugetune, or: hugetune report --snapshot box.json
set -u

root=''
redact=0
while [ $# -gt 0 ]; do
  case "$1" in
    --redact) redact=1 ;;
    --root) shift; root=${1:-}; [ -n "$root" ] || { echo "hugetune-capture: --root needs a directory" >&2; exit 2; } ;;
    --root=*) root=${1#--root=} ;;
    -h|--help)
      printf '%s\n' 'Usage: sh hugetune-capture.sh [--redact] [--root DIR] > box.json' \
        'Captures the kernel files hugetune reads into one snapshot (JSON on stdout). Read-only.' \
        '  --redact    leave the host name out' \
        '  --root DIR  read a copied tree (DIR/proc/..., DIR/sys/...) instead of /' \
        'Open box.json in hugetune, or run: hugetune report --snapshot box.json'
      exit 0 ;;
    *) echo "hugetune-capture: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
root=${root%/}
if [ -n "$root" ] && [ ! -d "$root" ]; then echo "hugetune-capture: $root is not a directory" >&2; exit 1; fi

# These lists mirror shared/host/capture-spec.ts (a test keeps them equal).
FILES='/proc/cmdline /proc/meminfo /proc/vmstat /proc/interrupts /proc/cpuinfo /proc/version /proc/mounts /proc/buddyinfo /proc/swaps /sys/fs/cgroup/hugetlb.64KB.max /sys/fs/cgroup/hugetlb.64KB.current /sys/fs/cgroup/hugetlb.2MB.max /sys/fs/cgroup/hugetlb.2MB.current /sys/fs/cgroup/hugetlb.32MB.max /sys/fs/cgroup/hugetlb.32MB.current /sys/fs/cgroup/hugetlb.512MB.max /sys/fs/cgroup/hugetlb.512MB.current /sys/fs/cgroup/hugetlb.1GB.max /sys/fs/cgroup/hugetlb.1GB.current /sys/fs/cgroup/hugetlb.16GB.max /sys/fs/cgroup/hugetlb.16GB.current /proc/sys/kernel/osrelease /proc/sys/kernel/arch /proc/sys/kernel/numa_balancing /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps /sys/kernel/mm/numa/demotion_enabled /sys/devices/system/cpu/online /sys/devices/system/cpu/possible /sys/devices/system/node/online /sys/devices/system/node/possible /sys/devices/system/node/has_cpu /sys/devices/system/node/has_memory /sys/devices/system/node/has_normal_memory /etc/os-release /usr/lib/os-release /etc/default/grub /etc/kernel/cmdline /etc/kernel/proxmox-boot-uuids /etc/kernelstub/configuration'
TREES='/proc/sys/vm /sys/kernel/mm/transparent_hugepage /sys/kernel/mm/hugepages /sys/devices/virtual/memory_tiering /etc/default/grub.d /boot/loader/entries'
NODE_FILES='meminfo numastat cpulist distance vmstat'
SKIP='demote uevent power stat_refresh'

first=1
sep() { if [ $first -eq 1 ]; then first=0; else printf ',\n'; fi; }

# emit PATH: one "path": {...} member; base64 keeps any byte JSON-safe without sed or awk.
emit() {
  f=$root$1
  [ -f "$f" ] || return 0
  sep
  if [ ! -r "$f" ]; then
    printf '    "%s": {"error": "denied"}' "$1"
  elif data=$(base64 -w 0 2>/dev/null < "$f"); then
    printf '    "%s": {"base64": "%s"}' "$1" "$data"
  else
    printf '    "%s": {"error": "error"}' "$1"
  fi
}

skipped() {
  for s in $SKIP; do [ "$1" = "$s" ] && return 0; done
  return 1
}

walk() { # walk DIR DEPTH: every regular file below DIR
  [ "$2" -gt 6 ] && return 0
  for e in "$root$1"/*; do
    # Symbolic links are neither followed nor read: in sysfs they lead out of the tree (subsystem, device),
    # in a copied tree they may point anywhere. hugetune's own snapshot leaves them out the same way.
    [ -L "$e" ] && continue
    [ -e "$e" ] || continue
    name=${e##*/}
    skipped "$name" && continue
    if [ -d "$e" ]; then walk "$1/$name" $(($2 + 1)); else emit "$1/$name"; fi
  done
}

host=null
if [ $redact -eq 0 ]; then
  h=$(uname -n 2>/dev/null)
  case "$h" in
    ''|*[!A-Za-z0-9.-]*) ;;
    *) host="\"$h\"" ;;
  esac
fi

printf '{\n  "format": "hugetune-snapshot",\n  "version": 1,\n'
printf '  "capturedAt": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '  "host": %s,\n  "tool": "hugetune-capture.sh 1",\n  "files": {\n' "$host"
for p in $FILES; do emit "$p"; done
for t in $TREES; do walk "$t" 0; done
for n in "$root"/sys/devices/system/node/node[0-9]*; do
  [ -d "$n" ] && [ ! -L "$n" ] || continue
  node=/sys/devices/system/node/${n##*/}
  for f in $NODE_FILES; do emit "$node/$f"; done
  walk "$node/hugepages" 0
done
# The kernel config: decompressed when gzip is here, else the one in /boot.
if [ -r "$root/proc/config.gz" ] && command -v gzip >/dev/null 2>&1; then
  data=$(gzip -dc "$root/proc/config.gz" 2>/dev/null | base64 -w 0)
  if [ -n "$data" ]; then sep; printf '    "/proc/config.gz": {"base64": "%s"}' "$data"; fi
elif [ ! -e "$root/proc/config.gz" ]; then
  rel=$(cat "$root/proc/sys/kernel/osrelease" 2>/dev/null)
  [ -n "$rel" ] && emit "/boot/config-$rel"
fi
printf '\n  }\n}\n'

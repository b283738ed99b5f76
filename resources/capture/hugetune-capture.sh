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
#   sh hugetune-capture.sh --pid 4242 > box.json also a process's memory files, for hugetune inspect
#
# Then open box.json in hugetune, or: hugetune report --snapshot box.json
#
# With --root, nothing outside DIR is read: a listed file or tree reached through a symbolic link that leads
# out of DIR is skipped with a warning on stderr (a copied tree is anyone's to build). A file whose name JSON
# would need escaped (a quote, a backslash, a control or non-ASCII byte) is skipped with a warning too: kernel
# and boot loader file names never have one, and leaving it out keeps the output valid JSON with no escaper.
set -u
# Byte-wise matching of names, whatever the caller's locale.
LC_ALL=C
export LC_ALL

root=''
redact=0
pids=''
while [ $# -gt 0 ]; do
  case "$1" in
    --redact) redact=1 ;;
    --root) shift; root=${1:-}; [ -n "$root" ] || { echo "hugetune-capture: --root needs a directory" >&2; exit 2; } ;;
    --root=*) root=${1#--root=}; [ -n "$root" ] || { echo "hugetune-capture: --root= needs a directory" >&2; exit 2; } ;;
    --pid) shift; case "${1:-}" in '' | *[!0-9]* | 0*) echo "hugetune-capture: --pid needs a process id" >&2; exit 2 ;; esac; pids="$pids $1" ;;
    -h|--help)
      printf '%s\n' 'Usage: sh hugetune-capture.sh [--redact] [--root DIR] > box.json' \
        'Captures the kernel files hugetune reads into one snapshot (JSON on stdout). Read-only.' \
        '  --redact    leave the host name out' \
        '  --root DIR  read a copied tree (DIR/proc/..., DIR/sys/...) instead of /' \
        '  --pid PID   also capture the process'"'"'s memory files (repeatable), for hugetune inspect' \
        'Open box.json in hugetune, or run: hugetune report --snapshot box.json'
      exit 0 ;;
    *) echo "hugetune-capture: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$root" ]; then
  if [ ! -d "$root" ]; then echo "hugetune-capture: $root is not a directory" >&2; exit 1; fi
  # Absolute, so no path below can be taken for an option; rootp is where it really is, links resolved.
  case "$root" in /*) ;; *) root=$PWD/$root ;; esac
  rootp=$(cd -P "$root" && pwd -P) || { echo "hugetune-capture: cannot enter $root" >&2; exit 1; }
  # "/" as --root is the live machine: keep the paths below it as they are.
  if [ "$rootp" = / ]; then root=''; else root=${root%/}; fi
fi

# A process named with --pid must be there before anything is printed.
for pid in $pids; do
  if [ ! -d "$root/proc/$pid" ]; then echo "hugetune-capture: --pid $pid: no such process" >&2; exit 1; fi
done

# These lists mirror shared/host/capture-spec.ts (a test keeps them equal).
FILES='/proc/cmdline /proc/meminfo /proc/vmstat /proc/interrupts /proc/cpuinfo /proc/version /proc/mounts /proc/buddyinfo /proc/swaps /sys/fs/cgroup/hugetlb.64KB.max /sys/fs/cgroup/hugetlb.64KB.current /sys/fs/cgroup/hugetlb.2MB.max /sys/fs/cgroup/hugetlb.2MB.current /sys/fs/cgroup/hugetlb.32MB.max /sys/fs/cgroup/hugetlb.32MB.current /sys/fs/cgroup/hugetlb.512MB.max /sys/fs/cgroup/hugetlb.512MB.current /sys/fs/cgroup/hugetlb.1GB.max /sys/fs/cgroup/hugetlb.1GB.current /sys/fs/cgroup/hugetlb.16GB.max /sys/fs/cgroup/hugetlb.16GB.current /proc/sys/kernel/osrelease /proc/sys/kernel/arch /proc/sys/kernel/numa_balancing /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps /sys/kernel/mm/numa/demotion_enabled /sys/devices/system/cpu/online /sys/devices/system/cpu/possible /sys/devices/system/node/online /sys/devices/system/node/possible /sys/devices/system/node/has_cpu /sys/devices/system/node/has_memory /sys/devices/system/node/has_normal_memory /etc/os-release /usr/lib/os-release /etc/default/grub /etc/kernel/cmdline /etc/kernel/proxmox-boot-uuids /etc/kernelstub/configuration'
TREES='/proc/sys/vm /sys/kernel/mm/transparent_hugepage /sys/kernel/mm/hugepages /sys/devices/virtual/memory_tiering /etc/default/grub.d /boot/loader/entries'
NODE_FILES='meminfo numastat cpulist distance vmstat'
SKIP='demote uevent power stat_refresh'
PROCESS_FILES='status smaps_rollup numa_maps maps cmdline comm'

first=1
sep() { if [ $first -eq 1 ]; then first=0; else printf ',\n'; fi; }

warn() { # warn PATH WHY: one line on stderr; the path with anything unprintable shown as ?
  printf 'hugetune-capture: skipped %s: %s\n' "$(printf '%s' "$1" | tr -c '[:print:]' '?')" "$2" >&2
}

# in_root DIR: DIR, every link in it resolved, is the root or below it (always true on the live machine).
in_root() {
  [ -z "$root" ] && return 0
  p=$(cd -P "$1" 2>/dev/null && pwd -P) || return 1
  case "$p" in "$rootp" | "$rootp"/*) return 0 ;; esac
  return 1
}

# safe_file FILE: a listed single file may be read only if neither its directory nor the file itself (when it
# is a link) leads out of the root. A link is resolved with readlink -f; without readlink it is not followed.
safe_file() {
  [ -z "$root" ] && return 0
  in_root "${1%/*}" || return 1
  [ -L "$1" ] || return 0
  t=$(readlink -f "$1" 2>/dev/null) || return 1
  case "$t" in "$rootp"/*) return 0 ;; esac
  return 1
}

# emit PATH [walked]: one "path": {...} member; base64 keeps any byte JSON-safe without sed or awk. A walked
# file needs no link check: walk checked its tree's top and never enters or reads a link below it.
emit() {
  f=$root$1
  [ -f "$f" ] || return 0
  case "$1" in
    *[!\ -~]* | *\"* | *\\*) warn "$1" 'its name has a quote, backslash or control character'; return 0 ;;
  esac
  if [ -z "${2:-}" ] && ! safe_file "$f"; then warn "$1" "a symbolic link leads out of $root"; return 0; fi
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
  [ -d "$root$1" ] || return 0
  if [ "$2" -eq 0 ] && ! in_root "$root$1"; then warn "$1" "a symbolic link leads out of $root"; return 0; fi
  for e in "$root$1"/*; do
    # Symbolic links are neither followed nor read: in sysfs they lead out of the tree (subsystem, device),
    # in a copied tree they may point anywhere. hugetune's own snapshot leaves them out the same way.
    [ -L "$e" ] && continue
    [ -e "$e" ] || continue
    name=${e##*/}
    skipped "$name" && continue
    if [ -d "$e" ]; then walk "$1/$name" $(($2 + 1)); else emit "$1/$name" walked; fi
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
  if [ ! -d "$n" ] || [ -L "$n" ]; then continue; fi
  node=/sys/devices/system/node/${n##*/}
  for f in $NODE_FILES; do emit "$node/$f"; done
  walk "$node/hugepages" 0
done
for pid in $pids; do
  for f in $PROCESS_FILES; do emit "/proc/$pid/$f"; done
done
# The kernel config: decompressed when gzip is here, else the one in /boot.
if [ -r "$root/proc/config.gz" ] && ! safe_file "$root/proc/config.gz"; then
  warn /proc/config.gz "a symbolic link leads out of $root"
elif [ -r "$root/proc/config.gz" ] && command -v gzip >/dev/null 2>&1; then
  data=$(gzip -dc "$root/proc/config.gz" 2>/dev/null | base64 -w 0)
  if [ -n "$data" ]; then sep; printf '    "/proc/config.gz": {"base64": "%s"}' "$data"; fi
elif [ ! -e "$root/proc/config.gz" ]; then
  rel=''
  safe_file "$root/proc/sys/kernel/osrelease" && rel=$(cat "$root/proc/sys/kernel/osrelease" 2>/dev/null)
  # A release is one file name's tail: a / or .. in it would lead out of /boot (shared/host/paths.ts agrees).
  case "$rel" in
    '') ;;
    */* | *..*) warn "/boot/config-$rel" 'the kernel release has a / or ..' ;;
    *) emit "/boot/config-$rel" ;;
  esac
fi
printf '\n  }\n}\n'

/** Help texts, one per command: the single place the CLI's surface is described. */
export const SOURCE_FLAGS = `Source (every command that reads a machine):
  --root DIR        read kernel files under DIR (DIR/proc/meminfo, DIR/sys/kernel/mm/...) instead of /
  --snapshot FILE   read a snapshot made by \`hugetune snapshot\` or hugetune-capture.sh (- for stdin)
  --sim PROFILE     a simulated machine: a built-in profile (hugetune sim list) or a profile FILE.json
  --set KEY=VALUE   a what-if edit to the simulated machine, repeatable: mem-gib=512,512 release=6.8.0-45-generic
                    thp=never hvo=on pool-2m=N pool-1g=N cmdline="..." fragmentation=0.8 scenario=idle
                    (default: this machine)`;

export const HELP: Record<string, string> = {
  main: `hugetune — huge page tuning for running large language models on Linux

Usage: hugetune <command> [options]

Commands:
  report     what this machine does with huge pages: THP, HugeTLB pools, HVO, TLB shootdowns
  plan       will a model fit: memory by term, huge pages needed, HVO saving, page tables, NUMA layout
  recommend  what to set for this machine (and a model): reasons, evidence, exact changes, boot line
  apply      make the recommended runtime changes on this machine (root), read each back, journal them
  rollback   restore every value a journal recorded, newest first
  journal    list the journals of earlier applies, rollbacks and HVO checks
  hvo-check  measure what HVO gives back on this kernel and compare it with the prediction (root)
  inspect    did the model servers get huge pages: memory per page size and NUMA node, page tables,
             the layout of their anonymous mappings, and a verdict with its likely cause
  probe-alignment
             measure whether this kernel aligns every large anonymous mapping (THP alignment regression)
  models     the models and quantizations the planner knows
  sim        built-in simulated machines for what-if planning (sim list, sim show)
  snapshot   capture the kernel files hugetune reads into one JSON file, to open anywhere
  diff       what differs between two machines, or one machine before and after a change
  serve      serve the app in a browser on 127.0.0.1 (web mode, for headless servers)
  open       open the desktop window (falls back to web mode where Electron cannot start)

Options:
  --json     machine-readable output (one JSON object on stdout)
  --debug    show stack traces for unexpected errors
  --help     help for hugetune or a command (hugetune <command> --help)
  --version  print the version

Exit status: 0 success, 1 runtime error, 2 usage error. An error is one line on standard error (never
JSON, with --json too): the exit status says which kind it is.`,

  report: `Usage: hugetune report [--json] [--hardware] [--root DIR | --snapshot FILE | --sim PROFILE]

Reads the machine and prints the kernel release and architecture, THP settings, every HugeTLB pool
(total/free per page size and NUMA node), whether HVO is on, and TLB shootdown counters.

${SOURCE_FLAGS}

Options:
  --json            one JSON object (keys: kernel, thp, hugetlb, hvo, memory, tlb, numa, findings, diagnostics)
  --hardware        add CPU model, sockets and memory modules (this machine only; slower)`,

  plan: `Usage: hugetune plan (--model ID [--quant NAME] | --gguf PATH | --footprint-mib N) [options]

Says whether the model fits on one machine (this one, --root/--snapshot/--sim, or a planned one with
--mem-gib) and why: the verdict holds exactly when every constraint holds (memory in total, each NUMA node,
the page size, pools of other sizes, the OS reserve, the runtime's backing), and each is printed with its
figures. Also: every memory term with its source, huge pages per size and node, the vmemmap HVO gives back
(by kernel version and architecture), page tables and TLB entries per page size, and what would make it fit.

Model (exactly one):
  --model ID          a catalog model (hugetune models), e.g. deepseek-r1-671b, llama-3.3-70b
  --quant NAME        its quantization as llama.cpp names it (default Q4_K_M, or the model's native one)
  --gguf PATH         a local GGUF file or the first of its -0000N-of-0000M shards (only headers are read)
  --footprint-mib N   the runtime's whole footprint; only what the kernel adds for the backing is added

Runtime:
  --runtime R         llama.cpp (default for base pages), ik_llama.cpp (default with a HugeTLB page size:
                      -thp maps the weights from the pool), ollama, vllm-cpu, ktransformers
  --llama-build B     llama.cpp generation for DeepSeek's KV cache: current (latent only, from Jan 2026),
                      2025 (K+V latent, Apr 2025 to Jan 2026), legacy (whole heads)
  --cache-ram-mib N   llama-server's prompt cache (default 8192; 0 for llama-cli)
  --kv-space-gib N    vLLM CPU's VLLM_CPU_KVCACHE_SPACE per rank (default: half a node's memory, as
                      vLLM does when it is unset)
  --ctx N             context length in tokens (default 8192, or less if the model's is smaller)
  --kv-type T         KV cache type: f16 (default), q8_0, q4_0

Backing and placement:
  --page-size S       base (default: the page cache, or anonymous memory with --no-mmap) or a HugeTLB
                      size the machine has: 2M, 1G (x86-64); 64K, 2M, 32M, 512M, 16G (arm64 by granule)
  --hvo on|off        count what HVO gives back (default on with HugeTLB pages, where the kernel has it)
  --no-mmap           base pages as anonymous memory (where THP applies) instead of the page cache
  --mlock             pin the model in memory
  --numa M            interleave (default) or bind (all on the node that can give most)
  --slow-tier         also place memory on slower-tier nodes (CXL, CPU-less); off by default
  --release-pools     release HugeTLB pools of other sizes and count their free pages
  --available-mib N   memory available outside pools, replacing what the source says (spread over nodes)
  --reserve-mib N     safety reserve left to the OS (default 5% of RAM, 1 to 4 GiB)

A planned machine (nothing is taken from this host):
  --mem-gib N         its memory; with it:
  --nodes N           NUMA nodes, memory split evenly (default 1)
  --arch A            x86_64 (default), arm64, riscv64
  --base-page P       4K (default), 16K or 64K (arm64)
  --kernel R          its kernel release, such as 6.12 or 6.8.0-45-generic (uname -r; default 6.12):
                      decides HVO and its switch

  --json              one JSON object (keys: fits, constraints[] {id, ok, needMiB, haveMiB, message,
                      haveNote?},
                      machine, runtime, marginMiB, breakdown, perNode, commands, suggestions, ...)

${SOURCE_FLAGS}`,

  sim: `Usage: hugetune sim list [--json]
       hugetune sim show PROFILE|FILE.json

A simulated machine writes the same kernel files a real kernel of its shape would, so every command reads
it like a live machine: add --sim PROFILE (or --sim FILE.json) to report, plan, snapshot or serve. \`sim show\`
prints a profile as JSON: save it, edit it (memory, nodes, kernel, THP, pools, HVO, boot line), and use the
file with --sim. Counters start an hour after boot and advance with time under the profile's scenario.`,

  recommend: `Usage: hugetune recommend [plan flags] [--user NAME] [--unit NAME.service] [--model-path PATH] [--json]

Recommends settings for the machine (this one, --root/--snapshot/--sim, or a planned one with --mem-gib) and,
with a model (--model, --gguf or --footprint-mib and the other flags of hugetune plan), for running it: THP,
the HugeTLB pool per NUMA node, 1 GiB pages at boot, HVO before the pool, whether a runtime reservation will get
its pages, memory tiering, memlock, and a launch line true to the runtime. Each recommendation has its reason,
the evidence (file and value read), the exact changes, whether it needs a reboot, its risk and a reference.
Nothing is changed: hugetune apply does that.

Options:
  --user NAME         the user that runs the model server (a memlock limit in limits.d)
  --unit NAME         its systemd unit, e.g. llama.service (LimitMEMLOCK, NUMA binding)
  --model-path PATH   the model file, for the launch line
  --artifact NAME     print one file exactly as it is to be saved: sysctl, tmpfiles, boot-cmdline, apply,
                      rollback (POSIX sh, dry run unless --apply), tuned, ansible, service-dropin, limits
  --json              one JSON object: plan, recommendations[] (id, severity, title, reason, evidence[],
                      changes[], needsReboot, risk, reference, commands[]), changes[] (merged, in order), merged[],
                      artifacts {sysctlConf, tmpfilesConf, bootCmdline, applyScript, rollbackScript,
                      tunedProfile, ansiblePlaybook, serviceDropIn, limitsConf} each {path, text} or null

${SOURCE_FLAGS}`,

  apply: `Usage: hugetune apply [--dry-run] [--yes] [plan flags] [--user NAME] [--unit NAME.service] [--json]

Makes the runtime changes \`hugetune recommend\` proposes for this machine (and a model, with the plan
flags), in their order: THP modes, HVO, HugeTLB pool sizes, NUMA balancing. Every change is printed with
the value now and the value asked; each file is read again just before it is written and read back after
(the kernel may give less than asked: a pool that grows only partly is reported, and the run goes on).
Every step is journaled (see hugetune journal) so hugetune rollback can restore it. Boot parameters, memlock
limits and service settings are listed to do by hand: they are not runtime settings.

Only this machine: --root, --snapshot and --sim are refused. Writing needs root (or use the app's guided
setup, which asks for the password through polkit); --dry-run reads only and writes nothing, not even a
journal. Without --yes it asks you to type yes, and refuses when standard input is not a terminal.

Options:
  --dry-run         print what would be written, change nothing
  -y, --yes         do not ask for confirmation
  --json            one JSON object: dryRun, results[] {path, asked, before, after, ok, status, error?},
                    manual[], journalFile, ok, stopped

Exit status: 0 every change read back as asked, 1 some did not (or an error), 2 usage or no confirmation.
Journals: /var/lib/hugetune/journal as root, else $XDG_STATE_HOME/hugetune/journal (~/.local/state/...).`,

  rollback: `Usage: hugetune rollback FILE [--dry-run] [--json]

Restores every value the journal FILE recorded as replaced, newest first, reads each back and journals
the rollback too. The journal is checked first: a file that is not a hugetune journal, or names a path or
value outside hugetune's allow-list, is refused and nothing is written. Needs root unless --dry-run.
Runtime settings do not survive a reboot: a journal from an earlier boot is restored all the same, with
a note.

Options:
  --dry-run         print what would be restored, change nothing
  --json            one JSON object (as for apply, plus otherBoot and unknown[])`,

  journal: `Usage: hugetune journal [--json]

Lists the journals of earlier applies, rollbacks and HVO checks, oldest first: this user's directory
($XDG_STATE_HOME/hugetune/journal or ~/.local/state/hugetune/journal) and root's (/var/lib/hugetune/journal).
Undo one with hugetune rollback FILE.`,

  'hvo-check': `Usage: hugetune hvo-check --pages N [--size 2M|1G] [--yes] [--json]

Measures what HVO (HugeTLB Vmemmap Optimization) gives back on this kernel: with HVO on (switched on for
the check if it is off), grows the pool of that page size by N pages, reads how far
nr_memmap_pages + nr_memmap_boot_pages in /proc/vmstat fell, then shrinks the pool back and switches HVO
back, whatever happens (every step is journaled; the restore runs even after a failure or Ctrl-C). Prints
the prediction (pages obtained × vmemmap pages freed per huge page, from the kernel table) next to the
measurement. The pool may grow only partly: the prediction is for the pages it got.

Needs root, a kernel with HVO built in, and the memmap counters (Linux 6.11+); otherwise it says why it
cannot measure. Without --yes it asks you to type yes.

Options:
  --pages N         huge pages to reserve for the check (64 × 2M is 128 MiB)
  --size S          2M (default) or 1G
  -y, --yes         do not ask for confirmation
  --json            one JSON object: predictedPages, measuredPages, pagesAsked, pagesGot, restored, ...

Exit status: 0 measured = predicted and everything restored, 1 otherwise, 2 usage.`,

  models: `Usage: hugetune models [--json]

Lists the catalog models (ids for --model) with their size and shape, and the quantization types (names
for --quant) with their typical bits per weight.`,

  inspect: `Usage: hugetune inspect [--pid PID] [--smaps] [--json] [--root DIR | --snapshot FILE]
                        [--pid PID (--model ID | --gguf PATH | --footprint-mib N) [plan options]]

Without --pid: finds the model servers (llama.cpp's llama-server/llama-cli/llama-bench, ik_llama.cpp, Ollama
and its runners, vLLM, KTransformers, and Python processes with ONNX Runtime, OpenVINO or PyTorch loaded) and
says for each how much of its memory is on huge pages, and the likely cause when it is not. With --pid: any
process, in full, with its anonymous mappings listed.

Figures come from /proc/PID/smaps_rollup (resident memory, PMD-mapped THP for anonymous, file and shmem
memory, HugeTLB as Shared_Hugetlb + Private_Hugetlb), status (VmPTE page tables, VmLck) and numa_maps (memory
per NUMA node and page size). The verdict is built from those figures and the machine's THP setting, pools and
free 2 MiB blocks. From maps: the anonymous mappings, how many of 2 MiB or more start on a 2 MiB boundary, and
the alignment gaps (holes under 2 MiB below an aligned anonymous mapping) the THP alignment regression leaves.

Without root, other users' processes are listed without memory figures: the kernel shows smaps_rollup,
numa_maps and maps only to the owner or with CAP_SYS_PTRACE. A process captured with hugetune snapshot --pid
(or hugetune-capture.sh --pid) is inspected elsewhere with --snapshot FILE.

Options:
  --pid PID         one process
  --smaps           also read /proc/PID/smaps: per-mapping page sizes and THP eligibility. Costly: the
                    kernel walks every page table of the process to produce it (see the measured ratio in
                    the README); smaps_rollup gives the same totals
  --json            one JSON object: processes[] {pid, command, runtime, rssKiB, anonHugeKiB, filePmdKiB,
                    hugetlbKiB, pageTablesKiB, perNode[] {node, pageSizeKiB, backing, kib}, hugeShare (0..1),
                    verdict, conditions[], vma {anonCount, largeCount, alignedCount, oddAlignedCount,
                    gapCount, gapKiB, pattern}, unavailable[]}; with a plan also plan {rows[], ok}
  --root DIR, --snapshot FILE   inspect the processes a captured tree or snapshot holds

Against a plan: with --pid and a model (the plan command's flags), compares what the process got with what
the plan says it needs: huge pages in total and per node, resident memory and page tables, and what to change.

Exit status: 0 success, 1 no such process (or it exited while being read), 2 usage error.`,

  'probe-alignment': `Usage: hugetune probe-alignment [--json]

Measures this machine's kernel: a short-lived helper process (Node, or Python 3 where there is no Node)
maps 8 anonymous regions of 4632 KiB (not a multiple of 2 MiB) and reads their placement from its own
/proc/self/maps. Kernels with the THP alignment regression (upstream 6.7 to 6.11.6; distribution kernels
may differ either way) start each on a 2 MiB boundary and leave a 1512 KiB hole below the next; fixed
kernels place them back to back. The measurement replaces the kernel version table in hugetune report and
recommend on this machine. Inference slowdowns have been reported and attributed to the regression, not
proven.

Options:
  --json            {affected, aligned, total, gapsKiB[], mappingKiB, release, detail}`,

  snapshot: `Usage: hugetune snapshot -o FILE [--redact] [--pid PID]... [--root DIR | --snapshot FILE]

Captures every kernel file hugetune reads (raw text, with the capture time and host name) into one
versioned JSON file. Open it with --snapshot FILE on any machine, or in the app. On a server without
hugetune, resources/capture/hugetune-capture.sh (POSIX sh, no Node) writes the same format.

${SOURCE_FLAGS}

Options:
  -o, --output FILE write the snapshot to FILE (- for standard output)
  --redact          leave the host name out
  --pid PID         also capture a process's status, smaps_rollup, numa_maps, maps, cmdline and comm
                    (repeatable), to inspect it elsewhere with hugetune inspect --snapshot FILE
  --json            print {"file", "files"} when done`,

  diff: `Usage: hugetune diff A B [--json] [--counters]

Compares two machines, or one machine at two moments (a snapshot before a setup and the live machine after
it): kernel and boot line, THP and every mTHP size, each HugeTLB pool in total and per node, HVO and the
memmap pages it gave back, memory, NUMA nodes and tiers, and the findings raised or cleared. Numbers get a
signed change (B - A). Exits 0 whether or not anything differs; the last lines say which.

A and B are each one of:
  live              this machine
  root:DIR          kernel files under DIR (as --root DIR)
  snapshot:FILE     a snapshot from \`hugetune snapshot\` or hugetune-capture.sh (- for stdin); a bare
                    path ending in .json is read as a snapshot too
  sim:PROFILE       a simulated machine: a built-in profile (hugetune sim list) or a profile FILE.json

Options:
  --json            one JSON object (keys: a, b, same, changed, groups[] {area, label, entries[] {area, key,
                    label, a, b, changed, delta, unit}}, countersIncluded, leftOut, summary)
  --counters        also compare the counters that move all the time (TLB shootdowns, vmstat, mTHP
                    statistics), which are left out by default`,

  serve: `Usage: hugetune serve [--port N] [--models-dir DIR]... [--root DIR | --snapshot FILE | --sim PROFILE] [--json]

Serves the app and its API on http://127.0.0.1:PORT only. Every API request needs the random access token
in the printed URL (after ?token=); open that URL in a browser: the page comes with the machine's overview
in it, the tab keeps the token for reloads, a new tab needs the URL again. Stop with Ctrl-C.

${SOURCE_FLAGS}

Options:
  --port N          port to listen on (default 7788; 0 picks a free one; a busy default falls back to a free one)
  --models-dir DIR  a directory whose GGUF files the page may plan with (repeatable); without it the page
                    plans catalog models only, and no path outside these directories is opened
  --json            print {"url", "port", "token"} as one JSON line once listening`,

  open: `Usage: hugetune open [--root DIR | --snapshot FILE]

Opens the desktop window. Where Electron cannot start (its runtime cannot be downloaded, or there is no
display) it says why in one line and starts web mode instead, printing the URL to open.

${SOURCE_FLAGS}

Options:
  --port N          port for the web-mode fallback (as for serve)
  --models-dir DIR  for the web-mode fallback (as for serve)`,
};

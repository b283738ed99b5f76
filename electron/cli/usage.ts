/** Help texts, one per command: the single place the CLI's surface is described. */
export const SOURCE_FLAGS = `Source (every command that reads a machine):
  --root DIR        read kernel files under DIR (DIR/proc/meminfo, DIR/sys/kernel/mm/...) instead of /
  --snapshot FILE   read a snapshot made by \`hugetune snapshot\` or hugetune-capture.sh
                    (default: this machine)`;

export const HELP: Record<string, string> = {
  main: `hugetune — huge page tuning for running large language models on Linux

Usage: hugetune <command> [options]

Commands:
  report     what this machine does with huge pages: THP, HugeTLB pools, HVO, TLB shootdowns
  snapshot   capture the kernel files hugetune reads into one JSON file, to open anywhere
  serve      serve the app in a browser on 127.0.0.1 (web mode, for headless servers)
  open       open the desktop window (falls back to web mode where Electron cannot start)

Options:
  --json     machine-readable output (one JSON object on stdout)
  --debug    show stack traces for unexpected errors
  --help     help for hugetune or a command (hugetune <command> --help)
  --version  print the version

Exit status: 0 success, 1 runtime error, 2 usage error.`,

  report: `Usage: hugetune report [--json] [--hardware] [--root DIR | --snapshot FILE]

Reads the machine and prints the kernel release and architecture, THP settings, every HugeTLB pool
(total/free per page size and NUMA node), whether HVO is on, and TLB shootdown counters.

${SOURCE_FLAGS}

Options:
  --json            one JSON object (keys: kernel, thp, hugetlb, hvo, memory, tlb, numa, findings, diagnostics)
  --hardware        add CPU model, sockets and memory modules (this machine only; slower)`,

  snapshot: `Usage: hugetune snapshot -o FILE [--redact] [--root DIR | --snapshot FILE]

Captures every kernel file hugetune reads (raw text, with the capture time and host name) into one
versioned JSON file. Open it with --snapshot FILE on any machine, or in the app. On a server without
hugetune, resources/capture/hugetune-capture.sh (POSIX sh, no Node) writes the same format.

${SOURCE_FLAGS}

Options:
  -o, --output FILE write the snapshot to FILE (- for standard output)
  --redact          leave the host name out
  --json            print {"file", "files"} when done`,

  serve: `Usage: hugetune serve [--port N] [--root DIR | --snapshot FILE] [--json]

Serves the app and its API on http://127.0.0.1:PORT only. Every request needs the random access token in
the printed URL; open that URL in a browser. Stop with Ctrl-C.

${SOURCE_FLAGS}

Options:
  --port N          port to listen on (default 7788; 0 picks a free one; a busy default falls back to a free one)
  --json            print {"url", "port", "token"} as one JSON line once listening`,

  open: `Usage: hugetune open [--root DIR | --snapshot FILE]

Opens the desktop window. Where Electron cannot start (its runtime cannot be downloaded, or there is no
display) it says why in one line and starts web mode instead, printing the URL to open.

${SOURCE_FLAGS}

Options:
  --port N          port for the web-mode fallback (as for serve)`,
};

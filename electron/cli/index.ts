/**
 * Entry point of the built `hugetune` command. No top-level await: commands load their code with dynamic
 * imports, and a chunk that imported this entry while it awaited would never settle.
 */
import { jsonSafe } from '../../shared/text';
import { main } from './main';

/**
 * A reader that stops early (`hugetune report --json | head -c 10`) closes the pipe: that is the reader's
 * choice, not an error. The rest of the output has nowhere to go, so the command ends at once, quietly, with
 * the status a shell gives a command killed by SIGPIPE (128 + 13), as cat and grep end.
 */
const EPIPE_EXIT = 141;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EPIPE_EXIT);
    // Any other failure to write output (a full disk behind a redirection): one line on what is left.
    try {
      process.stderr.write(`hugetune: cannot write output: ${e.code ?? e.message}\n`);
    } catch {
      // stderr is gone too
    }
    process.exit(1);
  });
}

void main(process.argv.slice(2), {
  // Text output has its control characters shown as `?` already; JSON output keeps its values exact, with any
  // character a terminal could act on (C1, bidirectional overrides) written as its \u escape.
  out: (t) => process.stdout.write(jsonSafe(t)),
  err: (t) => process.stderr.write(t),
}).then((code) => {
  // `serve` keeps running until a signal; everything else ends here.
  if (code !== 0) process.exitCode = code;
});

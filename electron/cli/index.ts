/**
 * Entry point of the built `hugetune` command. No top-level await: commands load their code with dynamic
 * imports, and a chunk that imported this entry while it awaited would never settle.
 */
import { main } from './main';

void main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
}).then((code) => {
  // `serve` keeps running until a signal; everything else ends here.
  if (code !== 0) process.exitCode = code;
});

/** Entry point of the built `hugetune` command. */
import { main } from './main';

const code = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
if (code !== 0) process.exitCode = code;
// `serve` keeps running until a signal; everything else ends here.

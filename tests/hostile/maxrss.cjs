// Preloaded into the CLI by the hostile-input suite: writes the process's peak resident set (KiB, threads
// included) to the file the suite names, however the process ends short of a kill.
'use strict';
const { writeFileSync } = require('node:fs');
const file = process.env.HUGETUNE_TEST_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // nowhere to say it
    }
  });
}

// Preloaded with `node --import` into each process the bench measures: at exit, the process's peak resident set
// (all its threads: getrusage's maxRSS, in KB) is appended to the file named by KMS_GUARD_BENCH_RSS_FILE.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.KMS_GUARD_BENCH_RSS_FILE;
if (isMainThread && file) {
  process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
}

// Preloaded (`node --import ./report-rss.mjs ...`) into every process the benchmark times: writes the
// process's peak RSS (KiB) to $BENCH_RSS_FILE at exit. Costs one tiny module.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));

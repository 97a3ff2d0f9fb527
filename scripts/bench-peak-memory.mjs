// Preloaded by `npm run bench` into the action's process (NODE_OPTIONS=--import=<this file>): on
// exit, writes the process's peak resident memory in kilobytes to BENCH_PEAK_MEMORY_FILE. Node has
// no resource usage of a child process, so the child reports its own.
import { writeFileSync } from 'node:fs'

const file = process.env.BENCH_PEAK_MEMORY_FILE
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))

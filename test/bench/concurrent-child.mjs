// Publishes N routines (bench-0 .. bench-N-1) at once from one process, as a monorepo build with
// several routines does; prints the wall time of the publishes (ms). Usage: node concurrent-child.mjs N
import { publishRoutine } from '@esa-stage/core';

const n = Number(process.argv[2]);
const round = process.argv[3] ?? '0';
const file = (i) => ({
  fileName: 'index.js',
  isEntry: true,
  source: {
    bytes: new TextEncoder().encode(`export default { fetch: () => new Response("${i} ${round}") };\n`),
  },
});
const started = performance.now();
await Promise.all(
  Array.from({ length: n }, (_, i) => publishRoutine({ name: `bench-${i}`, logLevel: 'silent' }, file(i))),
);
console.log(performance.now() - started);

#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// This process is the CLI's own, so it may tune V8 (the plugins, inside a bundler, never do). undici
// parses HTTP with llhttp compiled to WebAssembly; V8 compiles it once with its baseline compiler,
// then again with its optimizing one on background threads, which the process waits for at exit
// (~100-200 ms) and which holds ~35 MiB. A publish parses a few small answers: the baseline code
// is plenty. Measured: 0.49 s and 78 MiB per 1 MB publish instead of 0.61 s and 114 MiB.
setFlagsFromString('--liftoff-only');

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;
if (only === '--version' || only === '-v') {
  // Nothing else to load for the version, or for the help.
  const { VERSION } = await import('../version.js');
  process.stdout.write(`${VERSION}\n`);
} else if (only === '--help' || only === '-h') {
  const { USAGE } = await import('./usage.js');
  process.stdout.write(USAGE);
} else {
  // A reader that went away (`esa-stage ... --json | head -c0`) is not a failure of the publish:
  // what was done is done, and the exit code still says so.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const { runCli } = await import('./run-cli.js');
  process.exitCode = await runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  });
}

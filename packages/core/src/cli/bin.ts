#!/usr/bin/env node
import { runCli } from './run-cli.js';

// A reader that went away (`esa-stage ... --json | head -c0`) is not a failure of the publish: what
// was done is done, and the exit code still says so.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  cwd: process.cwd(),
});

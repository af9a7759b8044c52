import { fileURLToPath, pathToFileURL } from 'node:url';
import { esaStage } from '@esa-stage/esbuild-plugin';
import { build } from 'esbuild';
import { publishOptions } from './routine.mjs';

/** @type {import('esbuild').BuildOptions} */
export const options = {
  // Paths below are this folder's, wherever the build is started from.
  absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
  entryPoints: ['src/index.js'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outdir: 'dist/esbuild',
  logLevel: 'info',
  plugins: [esaStage(publishOptions('esbuild'))],
};

// `node esbuild.mjs` builds (and publishes); run.mjs imports the options instead.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build(options);

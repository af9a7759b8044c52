// One `vite build` of a small routine (an SSR build), with the esa-stage plugin in a mode:
//   none      no plugin       disabled  esaStage({ enabled: false })
//   dry       dryRun: true    publish   a real publish to $ESA_ENDPOINT
// Usage: node vite-child.mjs <mode> <project dir> <round>
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';

const [mode, root, round] = process.argv.slice(2);
await writeFile(
  join(root, 'src/routine.js'),
  `import { greet } from './greet.js';\nexport default { fetch: (r) => new Response(greet(new URL(r.url).pathname) + ${JSON.stringify(round)}) };\n`,
);
const plugins = [];
if (mode !== 'none') {
  const { esaStage } = await import('@esa-stage/vite-plugin');
  plugins.push(
    esaStage({
      name: 'bench',
      description: 'vite bench',
      logLevel: 'silent',
      ...(mode === 'disabled' && { enabled: false }),
      ...(mode === 'dry' && { dryRun: true }),
    }),
  );
}
await build({
  root,
  logLevel: 'silent',
  configFile: false,
  plugins,
  build: { ssr: 'src/routine.js', outDir: 'dist', emptyOutDir: true, minify: false },
  ssr: { noExternal: true },
});

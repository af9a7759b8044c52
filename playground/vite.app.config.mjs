import { fileURLToPath } from 'node:url';
import { esaStage } from '@esa-stage/vite-plugin';
import { defineConfig } from 'vite';
import { publishOptions } from './routine.mjs';

const app = fileURLToPath(new URL('./app/', import.meta.url));

// A full-stack app in one `vite build`: the page (client environment) and its routine (ssr
// environment). esa-stage publishes them as one version: the routine, with the page as its assets.
export default defineConfig({
  root: app,
  builder: {},
  environments: {
    // assetsInlineLimit 0: the image stays a file of its own, an asset of the version.
    client: {
      build: {
        outDir: fileURLToPath(new URL('./dist/app/client', import.meta.url)),
        emptyOutDir: true,
        assetsInlineLimit: 0,
      },
    },
    ssr: {
      resolve: { noExternal: true },
      build: {
        outDir: fileURLToPath(new URL('./dist/app/routine', import.meta.url)),
        emptyOutDir: true,
        rollupOptions: { input: `${app}src/routine.js`, output: { entryFileNames: 'index.js' } },
      },
    },
  },
  plugins: [esaStage(publishOptions('vite-app'))],
});

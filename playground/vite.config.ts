import { esaStage } from '@esa-stage/vite-plugin';
import { defineConfig } from 'vite';
import { publishOptions } from './routine.mjs';

export default defineConfig({
  plugins: [esaStage(publishOptions('vite'))],
  // An Edge Routine is one self-contained ES module: build it as an SSR bundle for a worker runtime,
  // with every dependency inlined.
  ssr: { target: 'webworker', noExternal: true },
  build: {
    ssr: 'src/index.js',
    outDir: 'dist/vite',
    emptyOutDir: true,
    rollupOptions: { output: { entryFileNames: 'index.js' } },
  },
});

import { esaStage } from '@esa-stage/rollup-plugin';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { publishOptions } from './routine.mjs';

export default {
  input: 'src/index.js',
  output: { dir: 'dist/rollup', format: 'es' },
  plugins: [nodeResolve({ browser: true }), esaStage(publishOptions('rollup'))],
};

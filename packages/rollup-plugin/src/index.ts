export type { OutputSelector } from './outputs.js';
export { outputDir } from './outputs.js';
export type { AdapterHooks, RollupEsaStageOptions } from './plugin.js';
export { createRollupPlugin, esaStage, esaStage as default, rollupAdapter } from './plugin.js';
export type {
  BundleEntryLike,
  InputOptionsLike,
  OutputOptionsLike,
  PluginContextLike,
  PluginMetaLike,
  RollupPluginLike,
} from './types.js';

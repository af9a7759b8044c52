export type { OutputSelector } from './outputs.js';
export type { AdapterHooks, RollupEsaStageOptions } from './plugin.js';
export { createRollupPlugin, esaStage, esaStage as default } from './plugin.js';
export type { BundleEntryLike, OutputOptionsLike, PluginContextLike, RollupPluginLike } from './types.js';

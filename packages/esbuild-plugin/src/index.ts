export type { EsbuildEsaStageOptions } from './plugin.js';
export { esaStage, esaStage as default } from './plugin.js';
export type { EsbuildPluginLike } from './types.js';

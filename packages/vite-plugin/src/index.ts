export type { ResolvedConfigLike, ViteEsaStageOptions, VitePluginLike } from './plugin.js';
export { esaStage, esaStage as default } from './plugin.js';

export type { ResolvedConfigLike, Target } from './environments.js';
export type { BuildAppContextLike, ViteBuilderLike, ViteEsaStageOptions, VitePluginLike } from './plugin.js';
export { esaStage, esaStage as default } from './plugin.js';

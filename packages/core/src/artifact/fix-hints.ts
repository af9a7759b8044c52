import { type BundlerInfo, majorOf } from './bundler.js';

// What to change, in the words of the tool that built the file. Pure: each returns one hint.

/** README's section on building a routine beside a browser app. */
const SPA_RECIPE = 'see "SPA + routine" in the @esa-stage/vite-plugin README';

/** The file is CommonJS, IIFE, UMD or a plain script. */
export function notEsModuleHint(bundler: BundlerInfo): string {
  switch (bundler.kind) {
    case 'vite':
      return 'build the routine as an ES module: an SSR build (`build.ssr: "src/index.js"`) writes one; do not set `output.format` (or `build.lib.formats`) to anything but "es"';
    case 'rollup':
    case 'rolldown':
      return 'set `output.format: "es"` (ESA runs ES modules)';
    case 'esbuild':
      return 'set `format: "esm"` (esbuild writes IIFE by default, CommonJS for `platform: "node"`)';
    default:
      return 'publish an ES module bundle (esbuild `--format=esm`, Rollup/Vite `output.format: "es"`) whose default export is `{ fetch }`';
  }
}

/** An ES module without `export default`. */
export function noDefaultExportHint(bundler: BundlerInfo): string {
  const tail =
    bundler.kind === 'vite' || bundler.kind === 'rollup' || bundler.kind === 'rolldown'
      ? '; with several entries, set the `chunk` option to the routine file'
      : '';
  return `an Edge Routine is a module whose default export handles requests: \`export default { async fetch(request) { ... } }\`${tail}`;
}

/** Imports of packages (or of source files) that the bundle left out. */
export function externalImportHint(bundler: BundlerInfo): string {
  switch (bundler.kind) {
    case 'vite':
      return 'bundle dependencies into the routine: `ssr: { noExternal: true }` (or `environments.<name>.resolve.noExternal: true`), and keep them out of `build.rollupOptions.external`';
    case 'rollup':
      return 'let Rollup resolve packages: add `@rollup/plugin-node-resolve` (`nodeResolve({ browser: true })`, plus `@rollup/plugin-commonjs` for CommonJS packages) and keep them out of `external`';
    case 'rolldown':
      return 'remove these from `external` (Rolldown resolves node_modules itself)';
    case 'esbuild':
      return 'set `bundle: true`, and keep these out of `external` (and do not set `packages: "external"`)';
    default:
      return 'publish a bundle that contains its dependencies (esbuild `--bundle`, Rollup `@rollup/plugin-node-resolve`, Vite `ssr.noExternal: true`)';
  }
}

/** The file imports other chunks of the same build (code splitting). */
export function chunkImportsHint(bundler: BundlerInfo): string {
  const major = majorOf(bundler);
  switch (bundler.kind) {
    case 'vite':
      return major !== undefined && major >= 8
        ? 'put everything in one file: `build.rolldownOptions.output.codeSplitting: false`'
        : 'put everything in one file: `build.rollupOptions.output.inlineDynamicImports: true`';
    case 'rollup':
      return 'put everything in one file: `output.inlineDynamicImports: true`';
    case 'rolldown':
      return 'put everything in one file: `output.codeSplitting: false`';
    case 'esbuild':
      return 'put everything in one file: `splitting: false`';
    default:
      return 'publish one self-contained file (esbuild `--bundle` without `--splitting`, Rollup `output.inlineDynamicImports: true`, Vite 8 / Rolldown `output.codeSplitting: false`)';
  }
}

/** The file is a web page's script (a client build), which ESA cannot run as a routine. */
export function browserBuildHint(bundler: BundlerInfo): string {
  if (bundler.kind === 'vite') {
    return `this is Vite's client build. Build the routine as an SSR entry instead: \`build: { ssr: "src/index.js" }\` (or \`vite build --ssr src/index.js\`); for an app and its routine in one \`vite build\`, ${SPA_RECIPE}`;
  }
  return 'build the routine (a module that does `export default { fetch }`), not the web page: point the build at the routine entry, and set the `chunk` option if the build also writes page scripts';
}

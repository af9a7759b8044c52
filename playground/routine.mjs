// What all three configs share: the routine to publish to. With real credentials and no
// ESA_ENDPOINT the configs publish to real ESA; set ESA_ROUTINE_NAME to a routine of yours.
export const routineName = process.env.ESA_ROUTINE_NAME ?? 'esa-stage-playground';

/**
 * The plugins' options: the routine, the path staging must answer (2xx) before a publish counts, and
 * a manifest of the result (`dist/<bundler>-publish.json`) that `run.mjs` reads back as CI would.
 * @param {string} bundler
 */
export function publishOptions(bundler) {
  return { name: routineName, verify: '/health', manifest: `dist/${bundler}-publish.json` };
}

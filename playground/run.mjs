// `pnpm playground`: start the ESA + OSS emulator in this process, build the routine with Vite,
// Rollup and esbuild using the configs here (each publishes through its esa-stage plugin), then a
// Vite full-stack app (page + routine, published as one version with assets). Each publish asks the
// emulator's HTTPS staging edge (which runs the routine) for /health before it counts; each line ends
// with that answer, read from the publish's manifest, after the official SDK's GetRoutine confirms
// that staging serves what the build published.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import esaSdk from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { startEmulator } from '@esa-stage/emulator';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import { createBuilder, build as viteBuild } from 'vite';
import { options as esbuildOptions } from './esbuild.mjs';
import rollupConfig from './rollup.config.mjs';
import { publishOptions, routineName } from './routine.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
process.chdir(root);

const emulator = await startEmulator({ routines: [routineName] });
// The configs read these like any CI would: the plugins find the endpoint and credentials in env.
process.env.ESA_ENDPOINT = emulator.endpoint;
process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emulator.credentials.accessKeyId;
process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emulator.credentials.accessKeySecret;
delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
// The staging edge: its port, and the emulator's CA (trusted only through this variable).
process.env.ESA_STAGE_STAGING_PORT = String(emulator.stagingEdge.port);
process.env.NODE_EXTRA_CA_CERTS = emulator.caPath;

// A CommonJS package: under Node's ESM loader its class is the `default` of `module.exports`.
const { default: Esa, GetRoutineRequest } = esaSdk;
const sdk = new Esa(
  new $OpenApiUtil.Config({
    accessKeyId: emulator.credentials.accessKeyId,
    accessKeySecret: emulator.credentials.accessKeySecret,
    endpoint: new URL(emulator.endpoint).host,
    protocol: 'http',
  }),
);

const builds = {
  vite: () => viteBuild({ root }),
  rollup: async () => {
    const bundle = await rollup(rollupConfig);
    try {
      await bundle.write(rollupConfig.output);
    } finally {
      await bundle.close();
    }
  },
  esbuild: () => esbuild(esbuildOptions),
  // The full-stack app: page + client script + image, and its routine, as one version with assets.
  'vite-app': async () => {
    const builder = await createBuilder({
      configFile: fileURLToPath(new URL('vite.app.config.mjs', import.meta.url)),
    });
    await builder.buildApp();
  },
};

let failures = 0;
try {
  for (const [bundler, build] of Object.entries(builds)) {
    const routine = emulator.state.routines.get(routineName);
    const before = new Set(routine.versions.keys());
    try {
      await build();
    } catch (error) {
      failures += 1;
      console.error(`${bundler.padEnd(8)} build failed: ${error.message}`);
      continue;
    }
    const published = [...routine.versions.values()].find((v) => !before.has(v.codeVersion));
    if (!published) {
      failures += 1;
      console.error(`${bundler.padEnd(8)} published nothing`);
      continue;
    }
    const answer = await sdk.getRoutine(new GetRoutineRequest({ name: routineName }));
    const staging = answer.body.envs.find((e) => e.env === 'staging')?.codeDeploy?.codeVersions?.[0]
      ?.codeVersion;
    const confirmed = staging === published.codeVersion;
    if (!confirmed) failures += 1;
    const assets = published.assets.size > 0 ? ` and ${published.assets.size} assets` : '';
    const { verify } = JSON.parse(await readFile(publishOptions(bundler).manifest, 'utf8'));
    console.log(
      `${bundler.padEnd(8)} published ${published.size} bytes${assets} as ${published.codeVersion}; GetRoutine says staging serves ${staging}${confirmed ? ' (confirmed)' : ' (MISMATCH)'}; staging answered GET /health ${verify.status}: ${verify.body}`,
    );
  }
} finally {
  await emulator.close();
}
process.exitCode = failures > 0 ? 1 : 0;

// The main job: start the emulator in this process, bundle the routine, publish it to staging,
// then confirm from the emulator's record that staging serves exactly that version.
import { fileURLToPath } from 'node:url';
import { publishRoutine } from '@esa-stage/core';
import { startEmulator } from '@esa-stage/emulator';
import { build } from 'esbuild';

const NAME = 'esa-stage-playground';
const root = fileURLToPath(new URL('.', import.meta.url));

const emulator = await startEmulator({ routines: [NAME] });
let failed = false;
try {
  const bundle = await build({
    absWorkingDir: root,
    entryPoints: ['src/index.js'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    outfile: 'dist-esbuild/index.js',
    logLevel: 'warning',
  });
  const [file] = bundle.outputFiles;
  const result = await publishRoutine(
    {
      name: NAME,
      endpoint: emulator.endpoint,
      credentials: {
        accessKeyId: emulator.credentials.accessKeyId,
        accessKeySecret: emulator.credentials.accessKeySecret,
      },
      cwd: root,
    },
    { fileName: 'index.js', isEntry: true, imports: [], source: { bytes: file.contents } },
  );
  const routine = await (await fetch(`${emulator.endpoint}/__emulator/routines/${NAME}`)).json();
  const onStaging = routine.envs.staging;
  console.log(`routine      ${result.name}`);
  console.log(
    `version      ${result.codeVersion} (${result.size} bytes, sha256 ${result.sha256.slice(0, 12)}…)`,
  );
  console.log(`description  ${result.description}`);
  console.log(
    `staging      ${onStaging} ${onStaging === result.codeVersion ? '(confirmed by the emulator)' : '(MISMATCH)'}`,
  );
  if (onStaging !== result.codeVersion) failed = true;
} catch (error) {
  console.error(`playground: publish failed: ${error.toLine?.() ?? error.message}`);
  failed = true;
} finally {
  await emulator.close();
}
process.exitCode = failed ? 1 : 0;

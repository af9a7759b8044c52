import type { AssetsZip } from '../assets/build-zip.js';
import type { ResolvedCredentials } from '../credentials/resolve-credentials.js';
import { EsaError, EsaStageError, NetworkError } from '../errors.js';
import { EsaClient } from '../esa/client.js';
import { isRetryableEsaFailure } from '../esa/retry.js';
import type { Logger } from '../log/logger.js';
import type { Secrets } from '../log/secrets.js';
import type { Env, EnvName, NormalizedOptions, OutputChunk } from '../options/types.js';
import type { ProgressFactory } from '../progress/upload-progress.js';
import { assetsFlow, startAssets } from './assets-flow.js';
import { Deployer, planDeployment } from './deploy.js';
import { quotaPruner } from './quota.js';
import { type EnvChange, PublishRecord } from './record.js';
import { type RoutineState, readRoutineState } from './routine-state.js';
import { singleFileFlow, startSingleFile } from './single-file-flow.js';
import { readStagingIps, type StagingAccess, stagingAccess } from './staging-access.js';
import { type StagingCheck, stagingAddress, verifyStaging } from './verify-staging.js';

/** What is settled before the first request. */
export interface PipelineInput {
  readonly opts: NormalizedOptions;
  /** The routine file; undefined for a version of assets alone. */
  readonly chunk: OutputChunk | undefined;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  readonly credentials: ResolvedCredentials;
  /** The environment variables (`NODE_EXTRA_CA_CERTS`, for the `verify` request). */
  readonly env: Env;
  readonly logger: Logger;
  readonly secrets: Secrets;
  /** Shows an upload's progress; undefined when nobody watches. */
  readonly progress: ProgressFactory | undefined;
}

/** What the pipeline did; the caller turns it into the public result. */
export interface PipelineOutcome {
  readonly status: 'published' | 'unchanged';
  readonly codeVersion: string;
  /** The stored description of the version (for `unchanged`, the existing version's). */
  readonly description: string;
  /** Environments serving `codeVersion` at the end, in deploy order. */
  readonly servedBy: readonly EnvName[];
  readonly staging: StagingAccess | undefined;
  /** How staging answered the `verify` request, when there was one. */
  readonly verified: StagingCheck | undefined;
  /** The zip of a version with assets: its files and content hash. */
  readonly zip: Pick<AssetsZip, 'size' | 'assets' | 'contentSha256'> | undefined;
  readonly record: PublishRecord;
}

/** What every flow of a publish shares once the first round trip is done. */
export interface Stage {
  readonly client: EsaClient;
  readonly input: PipelineInput;
  readonly record: PublishRecord;
  /** `GetRoutine`: what each environment serves, and the routine's host. */
  readonly routine: RoutineState;
  /** Frees the version quota once, when `pruneVersions` allows. */
  readonly prune: (() => Promise<boolean>) | undefined;
  /** Deploys `codeVersion` where the targets do not serve it yet, and builds the outcome. */
  finish(
    status: PipelineOutcome['status'],
    codeVersion: string,
    description: string,
    zip?: PipelineOutcome['zip'],
  ): Promise<PipelineOutcome>;
}

/** A failure that may have happened after ESA did the work: no answer, or a broken one. */
function leavesDoubt(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (error instanceof EsaError)
    return isRetryableEsaFailure(error.status, error.code) && !error.code.startsWith('Throttling');
  return error instanceof EsaStageError && error.code === 'InvalidResponse';
}

/**
 * Adds to a failure's message what this publish already did on ESA, and what may have happened
 * (a request that got no clear answer), with how to check; so nothing is silent or misstated.
 */
function withWhatIsKnown(error: unknown, record: PublishRecord, name: string): unknown {
  if (!(error instanceof EsaStageError)) return error;
  const known = record.known();
  const doubt = record.pending && leavesDoubt(error) ? record.pending : undefined;
  if (known === '' && !doubt) return error;
  const parts = [
    known && `so far: ${known}`,
    doubt &&
      `uncertain: the request for ${doubt} got no clear answer and may have taken effect; check with \`esa-stage versions list --name ${name}\``,
  ].filter(Boolean);
  Object.defineProperty(error, 'message', { value: `${error.message} (${parts.join('; ')})` });
  Object.defineProperty(error, 'versionsCreated', { value: [...record.versionsCreated] });
  return error;
}

/**
 * The publish, as named steps sharing one {@link PublishRecord}. First, concurrently: `GetRoutine`,
 * `GetRoutineStagingEnvIp`, and the flow's own start (upload info, or the zip of a version with
 * assets). Then the flow: the single-file path (staging slot, commit, content check) or the assets
 * path (`CreateRoutineWithAssetsCodeVersion`, zip upload, build poll). Both end in the deployments.
 */
export async function runPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { opts, logger } = input;
  const record = new PublishRecord();
  const client = await EsaClient.open({
    endpoint: opts.endpoint,
    proxy: opts.proxy,
    credentials: input.credentials,
    timeout: opts.timeout,
    retries: opts.retries,
    signal: opts.signal,
    logger,
    redact: (text) => input.secrets.redact(text),
  });
  try {
    const assets = opts.pipeline === 'assets';
    // Started now, so their time overlaps the first round trip; awaited by the flow.
    const started = assets ? startAssets({ input, record }) : startSingleFile({ client, input, record });
    started.catch(() => undefined);
    const stage = await firstRoundTrip(client, input, record);
    return await (assets
      ? assetsFlow(stage, started as ReturnType<typeof startAssets>)
      : singleFileFlow(stage, started as ReturnType<typeof startSingleFile>));
  } catch (error) {
    throw withWhatIsKnown(error, record, opts.name);
  } finally {
    await client.close();
  }
}

async function firstRoundTrip(
  client: EsaClient,
  input: PipelineInput,
  record: PublishRecord,
): Promise<Stage> {
  const { opts, logger } = input;
  const toStaging = opts.deploy.some((s) => s.env === 'staging');
  const [routine, ips] = await Promise.all([
    record
      .step(
        'routine',
        () => client.call('GetRoutine', { Name: opts.name }),
        (r) => r.requestId,
      )
      .then((r) => readRoutineState(r.body)),
    toStaging
      ? record
          .step(
            'stagingIp',
            () => client.call('GetRoutineStagingEnvIp', {}),
            (r) => r.requestId,
          )
          .then((r) => readStagingIps(r.body))
          .catch((error: unknown) => {
            // Without `verify` the IPs only print the way to staging; with it they are needed.
            if (opts.verify) throw error;
            logger.debug(`no staging IPs: ${(error as Error).message}`);
            return [];
          })
      : [],
  ]);
  // Where `verify` asks staging: known before anything is made, or the publish stops here.
  const address = opts.verify ? stagingAddress(routine.host, ips) : undefined;
  // A canary needs a version to share traffic with: fail now, before anything is made.
  for (const step of opts.deploy) {
    if (step.percentage < 100) planDeployment(step, '', routine.envs[step.env]);
  }
  const deployer = new Deployer(client, opts.name, opts.deployApi, logger, record);
  return {
    client,
    input,
    record,
    routine,
    prune: quotaPruner(client, opts.name, opts.pruneVersions, logger, record),
    async finish(status, codeVersion, description, zip) {
      let verified: StagingCheck | undefined;
      const verify = opts.verify;
      const servedBy = await deployEverywhere(deployer, opts, routine, codeVersion, async () => {
        if (!verify || !address) return;
        verified = await record.step('verifyStaging', () =>
          verifyStaging({
            verify,
            name: opts.name,
            address,
            codeVersion,
            before: routine.envs.staging,
            env: input.env,
            proxy: opts.proxy,
            logger,
            signal: opts.signal,
          }),
        );
      });
      // An emulator's staging (another port) is trusted through its CA; a real one by the system's.
      const emulated = opts.stagingPort !== 443;
      const reach = {
        port: opts.stagingPort,
        caFile: emulated ? input.env.NODE_EXTRA_CA_CERTS || undefined : undefined,
      };
      const staging = servedBy.includes('staging') ? stagingAccess(routine.host, ips, reach) : undefined;
      return { status, codeVersion, description, servedBy, staging, verified, zip, record };
    },
  };
}

/**
 * Deploys `codeVersion` to each target environment that does not serve it as asked yet, in order;
 * once staging serves it, `afterStaging` (the `verify` request) must succeed before anything else.
 */
async function deployEverywhere(
  deployer: Deployer,
  opts: NormalizedOptions,
  routine: RoutineState,
  codeVersion: string,
  afterStaging: () => Promise<void>,
): Promise<EnvName[]> {
  const plans = opts.deploy.map((step) => ({
    env: step.env,
    wanted: planDeployment(step, codeVersion, routine.envs[step.env]),
  }));
  for (const { env, wanted } of plans) {
    if (wanted) await deployer.deploy({ env, codeVersions: wanted } satisfies EnvChange);
    if (env === 'staging') await afterStaging();
  }
  return plans.map((p) => p.env);
}

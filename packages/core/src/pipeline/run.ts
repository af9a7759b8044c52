import type { ResolvedCredentials } from '../credentials/resolve-credentials.js';
import { EsaError, EsaStageError, NetworkError } from '../errors.js';
import { EsaClient } from '../esa/client.js';
import { isRetryableEsaFailure } from '../esa/retry.js';
import type { Logger } from '../log/logger.js';
import type { Secrets } from '../log/secrets.js';
import type { EnvName, NormalizedOptions, OutputChunk } from '../options/types.js';
import { codeSha256 } from './code-versions.js';
import { commitVersion } from './commit.js';
import { Deployer, planDeployment } from './deploy.js';
import { pruneVersions } from './prune.js';
import { type EnvChange, PublishRecord } from './record.js';
import { type RoutineState, readRoutineState, servedVersions } from './routine-state.js';
import { readStagingIps, type StagingAccess, stagingAccess } from './staging-access.js';
import { requestUploadInfo, type UploadInput, type UploadTicket, uploadFile } from './upload-step.js';
import { verifyVersion } from './verify.js';

/** What is settled before the first request. */
export interface PipelineInput {
  readonly opts: NormalizedOptions;
  readonly chunk: OutputChunk;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  readonly credentials: ResolvedCredentials;
  readonly logger: Logger;
  readonly secrets: Secrets;
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
  readonly record: PublishRecord;
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const isQuotaFull = (error: unknown) =>
  error instanceof EsaError && error.code === 'CodeVersionNumberExceedQuotaLimit';

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
 * The publish, as named steps sharing one {@link PublishRecord}:
 * 1. `GetRoutine`, `GetRoutineStagingEnvIp` and upload info, concurrently;
 * 2. unless `skipUnchanged: false`, the code of the versions the environments serve, to find one
 *    with these bytes (then no version is made: it is deployed where it is not served yet);
 * 3. the OSS upload; 4. the commit (`DeployEnv`; a lost answer is recovered, not repeated);
 * 5. the committed version's code compared with the bytes uploaded; 6. the deployments.
 */
export async function runPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { opts, logger } = input;
  const record = new PublishRecord();
  const client = await EsaClient.open({
    endpoint: opts.endpoint,
    credentials: input.credentials,
    timeout: opts.timeout,
    retries: opts.retries,
    signal: opts.signal,
    logger,
    redact: (text) => input.secrets.redact(text),
  });
  try {
    return await publishWith(client, input, record);
  } catch (error) {
    throw withWhatIsKnown(error, record, input.opts.name);
  } finally {
    await client.close();
  }
}

async function publishWith(
  client: EsaClient,
  input: PipelineInput,
  record: PublishRecord,
): Promise<PipelineOutcome> {
  const { opts, logger } = input;
  const name = opts.name;
  const upload: UploadInput = {
    client,
    name,
    description: input.description,
    file: {
      fileName: input.chunk.fileName.split('/').pop() ?? input.chunk.fileName,
      source: input.chunk.source,
      size: input.size,
    },
    timeout: opts.timeout,
    retries: opts.retries,
    signal: opts.signal,
    logger,
    secrets: input.secrets,
    record,
  };
  const toStaging = opts.deploy.some((s) => s.env === 'staging');

  // 1. What ESA has; where to upload. Upload info is asked for now to save a round trip, and is
  // simply not used when the bytes turn out unchanged.
  const [routine, ips, target] = await Promise.all([
    record
      .step(
        'routine',
        () => client.call('GetRoutine', { Name: name }),
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
            logger.debug(`no staging IPs: ${(error as Error).message}`);
            return [];
          })
      : [],
    settle(requestUploadInfo(upload)),
  ]);
  // A canary needs a version to share traffic with: fail now, before anything is made.
  for (const step of opts.deploy) {
    if (step.percentage < 100) planDeployment(step, '', routine.envs[step.env]);
  }
  const deployer = new Deployer(client, name, opts.deployApi, logger, record);
  const finish = async (
    status: PipelineOutcome['status'],
    codeVersion: string,
    description: string,
  ): Promise<PipelineOutcome> => {
    const servedBy = await deployEverywhere(deployer, opts, routine, codeVersion);
    const staging = servedBy.includes('staging') ? stagingAccess(routine.host, ips) : undefined;
    return { status, codeVersion, description, servedBy, staging, record };
  };

  // 2. The same bytes as a version an environment serves: nothing to upload or commit.
  if (opts.skipUnchanged) {
    const same = await record.step('unchanged', () => findServedCopy(client, name, routine, input.sha256));
    if (same) return finish('unchanged', same, routine.descriptions.get(same) ?? '');
  }

  const prune = opts.pruneVersions
    ? async () => {
        const keep = opts.pruneVersions?.keep ?? 0;
        logger.info(
          `the version quota of ${name} is full; deleting old versions no environment serves (keeping ${keep})`,
        );
        const report = await record.step('prune', () =>
          pruneVersions(client, name, keep, logger, (v) => record.versionsDeleted.push(v)),
        );
        return report.deleted.length > 0;
      }
    : undefined;

  // 3. Upload (a full quota may already show in the upload info).
  let ticket: UploadTicket;
  if (target.ok) {
    ticket = target.value;
  } else if (isQuotaFull(target.error) && prune && (await prune())) {
    ticket = await requestUploadInfo(upload);
  } else {
    throw quotaHint(target.error, name);
  }
  const uploaded = await uploadFile(upload, ticket.target);

  // 4. Commit; 5. make sure the version holds these bytes.
  const committed = await commitVersion({
    client,
    name,
    description: input.description,
    deployEnv: opts.deploy.some((s) => s.env === 'production') ? 'production' : 'staging',
    sha256: uploaded.sha256,
    announced: ticket.codeVersion,
    existing: servedVersions(routine),
    retries: opts.retries,
    timeout: opts.timeout,
    signal: opts.signal,
    logger,
    record,
    prune,
  }).catch((error: unknown) => {
    throw quotaHint(error, name);
  });
  if (!committed.verified) {
    await verifyVersion({
      client,
      name,
      codeVersion: committed.codeVersion,
      sha256: uploaded.sha256,
      logger,
      record,
    });
  }
  return finish('published', committed.codeVersion, input.description);
}

/** The error, with a hint naming `pruneVersions` and the CLI when the version quota is full. */
function quotaHint(error: unknown, name: string): unknown {
  if (!isQuotaFull(error)) return error;
  Object.defineProperty(error, 'hint', {
    value: `delete versions no environment serves: \`esa-stage versions prune --name ${name} --keep 5\`, or let publishes do it with \`pruneVersions: { keep: 5 }\` (CLI \`--prune 5\`)`,
  });
  return error;
}

/** A version an environment serves whose code has `sha256`, if any: staging's first. */
async function findServedCopy(
  client: EsaClient,
  name: string,
  routine: RoutineState,
  sha256: string,
): Promise<string | undefined> {
  const candidates = [...servedVersions(routine)];
  const hashes = await Promise.all(
    candidates.map((v) =>
      codeSha256(client, name, v).then(
        (r) => r.sha256,
        () => undefined,
      ),
    ),
  );
  return candidates.find((_, i) => hashes[i] === sha256);
}

/** Deploys `codeVersion` to each target environment that does not serve it as asked yet. */
async function deployEverywhere(
  deployer: Deployer,
  opts: NormalizedOptions,
  routine: RoutineState,
  codeVersion: string,
): Promise<EnvName[]> {
  const plans = opts.deploy.map((step) => ({
    env: step.env,
    wanted: planDeployment(step, codeVersion, routine.envs[step.env]),
  }));
  for (const { env, wanted } of plans) {
    if (wanted) await deployer.deploy({ env, codeVersions: wanted } satisfies EnvChange);
  }
  return plans.map((p) => p.env);
}

import { type AssetsZip, buildAssetsZip } from '../assets/build-zip.js';
import { EsaError, EsaStageError, NetworkError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import { backoffDelay, isRetryableEsaFailure } from '../esa/retry.js';
import { sleep } from '../http/abort.js';
import { readPostConfig, rememberSecretFields } from '../oss/post-config.js';
import { uploadToOss } from '../oss/upload.js';
import { VERSION } from '../version.js';
import { codeVersionOf } from './commit.js';
import { isQuotaFull, quotaHint } from './quota.js';
import { servedVersions } from './routine-state.js';
import type { Stage } from './run.js';

/** The record esa-stage keeps in a version's `ExtraInfo`: what it holds, to know it again. */
interface ExtraInfo {
  readonly esaStage?: { readonly contentSha256?: string };
}

function readExtraInfo(value: unknown): ExtraInfo {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ExtraInfo) : {};
  } catch {
    return {};
  }
}

/** Started with the first round trip: the zip (routine and assets), built from disk into a temp file. */
export function startAssets(stage: Pick<Stage, 'input' | 'record'>): Promise<AssetsZip> {
  const { opts, chunk } = stage.input;
  return stage.record.step('zip', () =>
    buildAssetsZip({ routine: chunk?.source, directory: opts.assets?.directory }),
  );
}

/** A served version whose recorded content equals `contentSha256`, if any. */
async function findServedCopy(stage: Stage, contentSha256: string): Promise<string | undefined> {
  const candidates = [...servedVersions(stage.routine)];
  const infos = await Promise.all(
    candidates.map((v) =>
      stage.client.call('GetRoutineCodeVersionInfo', { Name: stage.input.opts.name, CodeVersion: v }).then(
        (r) => readExtraInfo(r.body.ExtraInfo).esaStage?.contentSha256,
        () => undefined,
      ),
    ),
  );
  return candidates.find((_, i) => infos[i] === contentSha256);
}

const transient = (error: unknown) =>
  (error instanceof NetworkError && error.code !== 'Aborted') ||
  (error instanceof EsaError && isRetryableEsaFailure(error.status, error.code));

/**
 * Waits until ESA says the version is `available` (`init` means not yet), polling
 * `GetRoutineCodeVersionInfo` with backoff. A failing poll that ESA may retry is retried, not read
 * as a failed build; any other status is `VersionBuildFailed`, and the time limit `VersionBuildTimeout`.
 */
async function waitUntilAvailable(client: EsaClient, stage: Stage, codeVersion: string): Promise<void> {
  const { opts, logger } = stage.input;
  const deadline = Date.now() + opts.buildTimeout;
  for (let attempt = 0; ; attempt++) {
    let status: string | undefined;
    try {
      const { body } = await client.call('GetRoutineCodeVersionInfo', {
        Name: opts.name,
        CodeVersion: codeVersion,
      });
      status = typeof body.Status === 'string' ? body.Status : undefined;
    } catch (error) {
      if (!transient(error)) throw error;
      logger.info(`GetRoutineCodeVersionInfo failed (${(error as EsaStageError).code}); asking again`);
    }
    const state = status?.toLowerCase();
    if (state === 'available') return;
    if (status !== undefined && state !== 'init') {
      throw new EsaStageError(`ESA could not build version ${codeVersion}: its status is ${status}`, {
        code: 'VersionBuildFailed',
        hint: 'check the zip layout and the assets (esa-stage publishes routine/index.js and assets/...), then publish again',
      });
    }
    if (Date.now() >= deadline) {
      throw new EsaStageError(
        `version ${codeVersion} was not available after ${opts.buildTimeout} ms (status ${status ?? 'unknown'})`,
        {
          code: 'VersionBuildTimeout',
          hint: 'publish again, or raise `buildTimeout`',
        },
      );
    }
    await sleep(
      Math.min(
        backoffDelay(attempt, Math.random, { baseMs: 200, maxMs: 2000 }),
        Math.max(0, deadline - Date.now()),
      ),
      opts.signal,
    );
  }
}

/** Deletes a version this publish made and that will not be used; says so when it cannot. */
async function discard(stage: Stage, codeVersion: string): Promise<void> {
  try {
    await stage.client.call('DeleteRoutineCodeVersion', {
      Name: stage.input.opts.name,
      CodeVersion: codeVersion,
    });
    stage.record.versionsDeleted.push(codeVersion);
  } catch (error) {
    stage.input.logger.warn(
      `could not delete version ${codeVersion}, which this publish made: ${(error as Error).message}`,
    );
  }
}

/**
 * The assets path (esa-cli 1.x's): `CreateRoutineWithAssetsCodeVersion` names the version and its
 * own object before the upload, so there is no shared slot to race for; the zip goes to OSS, and
 * the version is polled until available. A version whose upload or build failed is deleted, not
 * left to eat the quota.
 */
export async function assetsFlow(
  stage: Stage,
  zipping: Promise<AssetsZip>,
): Promise<ReturnType<Stage['finish']>> {
  const { client, input, record, prune } = stage;
  const { opts, logger } = input;
  const name = opts.name;
  const zip = await zipping;
  try {
    if (opts.skipUnchanged) {
      const same = await record.step('unchanged', () => findServedCopy(stage, zip.contentSha256));
      if (same) return stage.finish('unchanged', same, stage.routine.descriptions.get(same) ?? '', zip);
    }
    const params = {
      Name: name,
      CodeDescription: input.description,
      ExtraInfo: JSON.stringify({ esaStage: { contentSha256: zip.contentSha256, version: VERSION } }),
      ...(opts.assets?.notFoundStrategy && {
        ConfOptions: JSON.stringify({ NotFoundStrategy: opts.assets.notFoundStrategy }),
      }),
    };
    const create = () =>
      record.step(
        'create',
        () =>
          record.changing(`a new version with assets of ${name}`, () =>
            client.call('CreateRoutineWithAssetsCodeVersion', params, { retries: 0 }),
          ),
        (r) => r.requestId,
      );
    const created = await create().catch(async (error: unknown) => {
      if (isQuotaFull(error) && prune && (await prune())) return create();
      throw quotaHint(error, name);
    });
    const codeVersion = codeVersionOf(created, 'CreateRoutineWithAssetsCodeVersion');
    record.versionsCreated.push(codeVersion);
    try {
      const target = readPostConfig(created.body.OssPostConfig);
      rememberSecretFields(target, input.secrets);
      await record.step(
        'upload',
        () =>
          uploadToOss(
            target,
            { fileName: 'version.zip', source: { path: zip.path }, size: zip.size },
            {
              proxy: opts.proxy,
              progress: input.progress,
              timeout: opts.timeout,
              retries: opts.retries,
              signal: opts.signal,
              logger,
            },
          ),
        (r) => r.requestId,
      );
      await record.step('build', () => waitUntilAvailable(client, stage, codeVersion));
    } catch (error) {
      await discard(stage, codeVersion);
      throw error;
    }
    return stage.finish('published', codeVersion, input.description, zip);
  } finally {
    await zip.remove();
  }
}

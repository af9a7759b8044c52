import type { EsaClient } from '../esa/client.js';
import { codeSha256 } from './code-versions.js';
import { commitVersion } from './commit.js';
import { isQuotaFull, quotaHint } from './quota.js';
import { type RoutineState, servedVersions } from './routine-state.js';
import type { Stage } from './run.js';
import { requestUploadInfo, type UploadInput, type UploadTicket, uploadFile } from './upload-step.js';
import { verifyVersion } from './verify.js';

/** Up to this size, a file is uploaded while the unchanged check runs (see {@link singleFileFlow}). */
export const SPECULATIVE_UPLOAD_BYTES = 2 * 1024 * 1024;

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

/** The upload's inputs for a stage. */
export function uploadInput(stage: Pick<Stage, 'client' | 'input' | 'record'>): UploadInput {
  const { opts, chunk } = stage.input;
  // Only the assets flow takes a version without a routine (validated before).
  if (!chunk) throw new Error('the single-file path needs a routine file');
  return {
    client: stage.client,
    name: opts.name,
    description: stage.input.description,
    file: {
      fileName: chunk.fileName.split('/').pop() ?? chunk.fileName,
      source: chunk.source,
      size: stage.input.size,
    },
    proxy: opts.proxy,
    progress: stage.input.progress,
    timeout: opts.timeout,
    retries: opts.retries,
    signal: opts.signal,
    logger: stage.input.logger,
    secrets: stage.input.secrets,
    record: stage.record,
  };
}

/** Asked for with the first round trip: where to upload (not used when the bytes are unchanged). */
export function startSingleFile(stage: Pick<Stage, 'client' | 'input' | 'record'>): Promise<UploadTicket> {
  return requestUploadInfo(uploadInput(stage));
}

/**
 * The legacy single-file path: unchanged check by the code of served versions, upload to the
 * routine's staging slot, commit (recovering a lost answer), and the check that the version holds
 * these bytes.
 */
export async function singleFileFlow(
  stage: Stage,
  ticketed: Promise<UploadTicket>,
): Promise<ReturnType<Stage['finish']>> {
  const { client, input, record, routine, prune } = stage;
  const { opts, logger } = input;
  const name = opts.name;
  const upload = uploadInput(stage);
  /** Uploads with the ticket asked for at the start; a full quota is pruned (if allowed) only when `mayPrune`. */
  const uploadToSlot = async (mayPrune: boolean) => {
    let ticket: UploadTicket;
    try {
      ticket = await ticketed;
    } catch (error) {
      // A full quota may already show in the upload info.
      if (!mayPrune) throw error;
      if (!(isQuotaFull(error) && prune && (await prune()))) throw quotaHint(error, name);
      ticket = await requestUploadInfo(upload);
    }
    return { ticket, uploaded: await uploadFile(upload, ticket.target) };
  };
  // A small file is uploaded while the served versions are compared, a round trip sooner; unchanged
  // bytes then stay uncommitted in the staging slot, where only a commit would make them a version.
  // Nothing is pruned for it before the bytes are known to be new. A large file is uploaded only then.
  const speculative =
    opts.skipUnchanged && input.size <= SPECULATIVE_UPLOAD_BYTES ? uploadToSlot(false) : undefined;
  speculative?.catch(() => undefined);
  if (opts.skipUnchanged) {
    const same = await record.step('unchanged', () => findServedCopy(client, name, routine, input.sha256));
    if (same) {
      // Whatever the upload did, nothing is committed: settle it before the connection closes.
      await speculative?.catch(() => undefined);
      return stage.finish('unchanged', same, routine.descriptions.get(same) ?? '');
    }
  }
  const { ticket, uploaded } = await (speculative
    ? speculative.catch(async (error: unknown) => {
        // The upload info failed (a full quota, say): now that the bytes are new, handle it as the
        // upload would have (prune, if allowed, and ask again). An upload that failed stays failed.
        if (
          await ticketed.then(
            () => true,
            () => false,
          )
        )
          throw error;
        return uploadToSlot(true);
      })
    : uploadToSlot(true));
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
  return stage.finish('published', committed.codeVersion, input.description);
}

import type { IncomingMessage } from 'node:http';
import Esa, {
  CommitRoutineStagingCodeRequest,
  GetRoutineStagingCodeUploadInfoRequest,
  PublishRoutineCodeVersionRequest,
} from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Emulator } from '@esa-stage/emulator';
import FormData from 'form-data';

/** The official SDK client for the emulator. */
export function officialSdk(emulator: Emulator): Esa {
  return new Esa(
    new $OpenApiUtil.Config({
      accessKeyId: emulator.credentials.accessKeyId,
      accessKeySecret: emulator.credentials.accessKeySecret,
      endpoint: new URL(emulator.endpoint).host,
      protocol: 'http',
    }),
  );
}

function submit(form: FormData, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    form.submit(url, (error: Error | null, res: IncomingMessage) => {
      if (error) return reject(error);
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
  });
}

/**
 * Publishes `code` to staging as another tool would, with no code of esa-stage: the official SDK
 * and a `form-data` upload shaped as esa-cli sends it. Resolves the version.
 */
export async function publishWithOfficialTools(
  emulator: Emulator,
  name: string,
  code: string,
  description: string,
): Promise<string> {
  const client = officialSdk(emulator);
  const info = await client.getRoutineStagingCodeUploadInfo(
    new GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: description }),
  );
  const config = info.body?.ossPostConfig as Record<string, string>;
  const form = new FormData();
  for (const field of ['OSSAccessKeyId', 'Signature', 'callback', 'x:codeDescription', 'policy', 'key']) {
    form.append(field, config[field] ?? '');
  }
  form.append('file', code);
  const status = await submit(form, config.Url ?? '');
  if (status !== 200) throw new Error(`the official upload answered ${status}`);
  const commit = await client.commitRoutineStagingCode(
    new CommitRoutineStagingCodeRequest({ name, codeDescription: description }),
  );
  const codeVersion = commit.body?.codeVersion ?? '';
  await client.publishRoutineCodeVersion(
    new PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion }),
  );
  return codeVersion;
}

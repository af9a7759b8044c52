import { OssError } from '../errors.js';
import type { EsaClient, EsaResponse } from '../esa/client.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import type { Logger } from '../log/logger.js';
import type { Secrets } from '../log/secrets.js';
import { type PostTarget, readPostConfig, rememberSecretFields } from '../oss/post-config.js';
import { type UploadFile, type UploadResult, uploadToOss } from '../oss/upload.js';
import type { ProgressFactory } from '../progress/upload-progress.js';
import type { PublishRecord } from './record.js';

export interface UploadInput {
  readonly client: EsaClient;
  readonly name: string;
  readonly description: string;
  readonly file: UploadFile;
  readonly proxy: ProxySettings;
  readonly progress: ProgressFactory | undefined;
  readonly timeout: number;
  readonly retries: number;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
  readonly secrets: Secrets;
  readonly record: PublishRecord;
}

function isExpiredPolicy(error: unknown): boolean {
  return error instanceof OssError && error.code === 'AccessDenied' && /expired/i.test(error.message);
}

/** Where to upload, and the version number ESA announced for the upload (when it did). */
export interface UploadTicket {
  readonly target: PostTarget;
  readonly codeVersion: string | undefined;
}

/** `GetRoutineStagingCodeUploadInfo`: where and how to upload. Its secrets join the redaction list. */
export async function requestUploadInfo(input: UploadInput): Promise<UploadTicket> {
  const info: EsaResponse = await input.record.step(
    'uploadInfo',
    () =>
      input.client.call('GetRoutineStagingCodeUploadInfo', {
        Name: input.name,
        CodeDescription: input.description,
      }),
    (r) => r.requestId,
  );
  const target = readPostConfig(info.body.OssPostConfig);
  rememberSecretFields(target, input.secrets);
  input.logger.debug(`upload info ${info.requestId}: object ${target.objectKey}`);
  const announced = info.body.CodeVersion;
  return {
    target,
    codeVersion: typeof announced === 'string' && /^\d+$/.test(announced) ? announced : undefined,
  };
}

/** The streamed OSS PostObject upload; an expired policy gets new upload info once. */
export async function uploadFile(input: UploadInput, target: PostTarget): Promise<UploadResult> {
  const options = {
    proxy: input.proxy,
    progress: input.progress,
    timeout: input.timeout,
    retries: input.retries,
    signal: input.signal,
    logger: input.logger,
  };
  return input.record.step(
    'upload',
    async () => {
      try {
        return await uploadToOss(target, input.file, options);
      } catch (error) {
        if (!isExpiredPolicy(error)) throw error;
        input.logger.warn('the upload policy had expired; asking ESA for a new one');
        return uploadToOss((await requestUploadInfo(input)).target, input.file, options);
      }
    },
    (r) => r.requestId,
  );
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorContext, recordRequest } from '../context.js';
import { buildAssetsUpload } from '../esa/assets-build.js';
import { applyFaultDelayAndDrop } from '../http.js';
import { newRequestId } from '../ids.js';
import { type CallbackOutcome, sendCallback } from './callback.js';
import { customVariables, ImageInfoUnavailableError, substituteCallbackBody } from './callback-body.js';
import { OssError } from './errors.js';
import { MalformedMultipartError, RequestAbortedError } from './multipart.js';
import { entityTooLarge } from './policy.js';
import {
  MAX_FIELD_NAME_BYTES,
  MAX_FIELD_VALUE_BYTES,
  type ReceivedForm,
  receivePostForm,
} from './post-form.js';
import { sendCallbackSuccess, sendOssError, sendPostSuccess } from './responses.js';
import { keyMissingError, planUpload, storeUpload, type UploadPlan } from './upload.js';

/** Multipart framing and part headers allowed on top of the object and the field limits. */
const BODY_OVERHEAD = 1024 * 1024;

type Answer = (status: number, code?: string) => void;

function malformed(): OssError {
  return new OssError(
    'MalformedPOSTRequest',
    400,
    'The body of your POST request is not well-formed multipart/form-data.',
  );
}

/** The request checks that need no body: method, path, Content-Type and Content-Length. */
function checkRequestLine(ctx: EmulatorContext, req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'POST' || path !== '/') {
    throw new OssError('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) throw malformed();
  const length = req.headers['content-length'];
  if (length === undefined && ctx.options.requireContentLength) {
    throw new OssError('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  }
  const limit = ctx.options.maxObjectSize + MAX_FIELD_VALUE_BYTES + MAX_FIELD_NAME_BYTES + BODY_OVERHEAD;
  if (length !== undefined && Number(length) > limit) throw entityTooLarge();
  return contentType;
}

function successStatus(value: string | undefined): 200 | 201 | 204 {
  return value === '200' ? 200 : value === '201' ? 201 : 204;
}

async function handlePostObject(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  answer: Answer,
): Promise<void> {
  const contentType = checkRequestLine(ctx, req);
  let plan: UploadPlan | undefined;
  let form: ReceivedForm;
  try {
    form = await receivePostForm(req, contentType, (fields) => {
      plan = planUpload(ctx, fields);
      return plan.maxSize;
    });
  } catch (error) {
    if (error instanceof MalformedMultipartError) throw malformed();
    throw error;
  }
  if (form.error) throw form.error;
  if (!form.fileSeen) {
    if (!form.fields.get('key')) throw keyMissingError();
    throw new OssError(
      'IncorrectNumberOfFilesInPOSTRequest',
      400,
      'POST requires exactly one file upload per request.',
    );
  }
  if (!plan || !form.file) throw malformed();
  const object = storeUpload(ctx, plan, form.fields, form.fieldNames, form.file);
  // ESA builds an assets version's zip from the bucket; OSS answers the upload whatever comes of it.
  await buildAssetsUpload(ctx, object);

  if (!plan.callback) {
    const status = successStatus(form.fields.get('success_action_status'));
    sendPostSuccess(ctx, res, requestId, { key: object.key, etag: object.etag, status });
    answer(status);
    return;
  }
  const vars = {
    bucket: ctx.bucket.name,
    object: object.key,
    etag: object.etag,
    size: object.size,
    mimeType: object.contentType,
  };
  let outcome: CallbackOutcome;
  try {
    const body = substituteCallbackBody(
      plan.callback.body,
      plan.callback.bodyType,
      vars,
      customVariables(form.fields),
    );
    outcome = await sendCallback(plan.callback, body, ctx.options.callbackTimeoutMs);
  } catch (error) {
    if (!(error instanceof ImageInfoUnavailableError)) throw error;
    outcome = { ok: false, message: error.message };
  }
  if (outcome.ok) {
    sendCallbackSuccess(res, requestId, object.etag, outcome.body);
    answer(200);
  } else {
    sendOssError(ctx, res, requestId, new OssError('CallbackFailed', 203, outcome.message), object.etag);
    answer(203, 'CallbackFailed');
  }
}

/** The OSS server: PostObject uploads on `POST /` into the emulated bucket, nothing else. */
export function createOssHandler(
  ctx: EmulatorContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = newRequestId();
    const answer: Answer = (status, code) =>
      recordRequest(ctx, { service: 'oss', action: 'PostObject', status, code, requestId });
    const effect = ctx.faults.take({ oss: true });
    if (await applyFaultDelayAndDrop(effect, res)) return;
    try {
      if (effect.error) {
        const { status, code, message, retryAfterSeconds } = effect.error;
        if (retryAfterSeconds !== undefined) res.setHeader('retry-after', String(retryAfterSeconds));
        throw new OssError(code, status, message);
      }
      await handlePostObject(ctx, req, res, requestId, answer);
    } catch (error) {
      if (error instanceof RequestAbortedError) return;
      if (!(error instanceof OssError)) throw error;
      if (!req.complete && req.readableFlowing !== true) req.resume();
      sendOssError(ctx, res, requestId, error);
      answer(error.status, error.code);
    }
  };
}

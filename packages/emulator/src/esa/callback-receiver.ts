import type { IncomingMessage, ServerResponse } from 'node:http';
import { CALLBACK_PATH, type EmulatorContext, recordRequest } from '../context.js';
import { BodyTooLargeError, readBody, sendJson } from '../http.js';
import { newRequestId } from '../ids.js';
import type { StagingCode } from '../state.js';
import { badRequest, EsaApiError, sendEsaError } from './errors.js';
import { headerText } from './verify-acs3.js';

const MAX_CALLBACK_BYTES = 64 * 1024;

/** The members of the callback body the emulator's upload policy asks OSS for. */
interface CallbackBody {
  readonly object: string;
  readonly size: number | undefined;
  readonly codeDescription: string | undefined;
}

function invalid(message: string): EsaApiError {
  return badRequest('InvalidCallback', message);
}

/** Parses and checks the JSON OSS posts (`{"object":…,"size":…,"etag":…,"mimeType":…,"codeDescription":…}`). */
export function parseCallbackBody(text: string): CallbackBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('The upload callback body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('The upload callback body must be a JSON object.');
  }
  const fields = parsed as Record<string, unknown>;
  const { object, size, codeDescription } = fields;
  if (typeof object !== 'string' || object === '') {
    throw invalid('The upload callback body has no "object" string.');
  }
  const sizeNumber = typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : size;
  if (sizeNumber !== undefined && typeof sizeNumber !== 'number') {
    throw invalid('The upload callback body\'s "size" is not a number.');
  }
  if (codeDescription !== undefined && typeof codeDescription !== 'string') {
    throw invalid('The upload callback body\'s "codeDescription" is not a string.');
  }
  return { object, size: sizeNumber, codeDescription };
}

/** Registers the uploaded object as its routine's staging code. Returns it, or throws `EsaApiError`. */
function registerStaging(ctx: EmulatorContext, body: CallbackBody): StagingCode {
  const ticket = ctx.state.tickets.get(body.object);
  if (!ticket) {
    throw invalid(
      `No upload was signed for object ${body.object}: call GetRoutineStagingCodeUploadInfo first.`,
    );
  }
  if (ticket.kind !== 'staging') {
    throw invalid(
      `Object ${body.object} is the zip of assets version ${ticket.codeVersion}, built from the bucket without a callback; it is not staging code.`,
    );
  }
  const object = ctx.state.objects.get(body.object);
  if (!object) throw invalid(`Object ${body.object} is not stored in the bucket.`);
  if (body.size !== undefined && body.size !== object.size) {
    throw invalid(`The callback says ${body.size} bytes but object ${body.object} has ${object.size}.`);
  }
  const routine = ctx.state.routines.get(ticket.routine);
  if (!routine) throw invalid(`Routine ${ticket.routine} of object ${body.object} no longer exists.`);
  const staging: StagingCode = {
    objectKey: object.key,
    codeVersion: ticket.codeVersion,
    description:
      body.codeDescription === undefined
        ? ticket.description
        : Buffer.from(body.codeDescription, 'base64').toString('utf8'),
    bytes: object.bytes,
    size: object.size,
    sha256: object.sha256,
    uploadedAt: ctx.state.clock(),
  };
  routine.staging = staging;
  return staging;
}

/**
 * The ESA side of the OSS upload callback (`POST /__emulator/oss-callback`): what real ESA does
 * when OSS reports a staging upload. Answers JSON with a Content-Length, as OSS requires.
 */
export async function handleUploadCallback(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = newRequestId();
  const hostId = headerText(req.headers, 'host') ?? 'esa.emulator';
  const record = (status: number, code: string | undefined): void =>
    recordRequest(ctx, { service: 'callback', action: CALLBACK_PATH, status, code, requestId });
  try {
    const text = (await readBody(req, MAX_CALLBACK_BYTES)).toString('utf8');
    const staging = registerStaging(ctx, parseCallbackBody(text));
    sendJson(res, 200, { Status: 'OK', CodeVersion: staging.codeVersion, Size: staging.size }, requestId);
    record(200, undefined);
  } catch (error) {
    const apiError =
      error instanceof EsaApiError
        ? error
        : error instanceof BodyTooLargeError
          ? new EsaApiError(413, 'RequestBodyTooLarge', error.message)
          : new EsaApiError(500, 'InternalError', error instanceof Error ? error.message : String(error));
    sendEsaError(res, apiError, requestId, hostId);
    record(apiError.status, apiError.code);
  }
}

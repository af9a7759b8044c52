import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isLoopbackHostname } from '@esa-stage/core';
import type { CallbackConfig } from './callback-config.js';

/** Largest callback answer OSS relays (1 MB). */
export const MAX_CALLBACK_RESPONSE_BYTES = 1024 * 1024;

export type CallbackOutcome =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly message: string };

const CANNOT_CONNECT = 'Error status : -1. OSS can not connect to your callbackUrl, please check it.';

function failed(message: string): CallbackOutcome {
  return { ok: false, message };
}

/** Judges a callback server's answer as OSS does: 2xx, a Content-Length, ≤ 1 MB, a JSON body. */
export function interpretCallbackAnswer(
  status: number,
  contentLength: string | undefined,
  body: Buffer,
): CallbackOutcome {
  if (status < 200 || status > 299) return failed(`Error status : ${status}.`);
  if (contentLength === undefined) return failed('User server missing content-length.');
  if (body.length > MAX_CALLBACK_RESPONSE_BYTES) {
    return failed('Response body of your callback server is larger than 1 MB.');
  }
  try {
    JSON.parse(body.toString('utf8'));
  } catch {
    return failed('Response body is not valid json format.');
  }
  return { ok: true, body };
}

function readAnswer(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep one byte past the limit, enough to tell it was exceeded.
      if (size <= MAX_CALLBACK_RESPONSE_BYTES + 1) chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

/** POSTs the body to one URL; only loopback hosts are ever contacted. */
function callOne(
  url: URL,
  config: CallbackConfig,
  body: string,
  timeoutMs: number,
): Promise<CallbackOutcome> {
  // Never send traffic off this machine: any other host counts as unreachable.
  if (!isLoopbackHostname(url.hostname)) return Promise.resolve(failed(CANNOT_CONNECT));
  const payload = Buffer.from(body, 'utf8');
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: CallbackOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      agent: false,
      headers: {
        host: config.host ?? url.host,
        'content-type': config.bodyType,
        'content-length': String(payload.length),
        'user-agent': 'aliyun-oss-callback',
      },
    });
    const timer = setTimeout(() => {
      finish(failed(`Error status : -1. ${url.host} reply timeout, cost: ${Date.now() - started} MS`));
    }, timeoutMs);
    req.on('error', () => finish(failed(CANNOT_CONNECT)));
    req.on('response', (res) => {
      readAnswer(res).then(
        (answer) =>
          finish(interpretCallbackAnswer(res.statusCode ?? 0, res.headers['content-length'], answer)),
        () => finish(failed(CANNOT_CONNECT)),
      );
    });
    req.end(payload);
  });
}

/**
 * Sends an upload callback: tries each URL in order until one answers as OSS requires. Returns the
 * answer's body, or the CallbackFailed message of the last failure.
 */
export async function sendCallback(
  config: CallbackConfig,
  body: string,
  timeoutMs: number,
): Promise<CallbackOutcome> {
  let outcome: CallbackOutcome = failed(CANNOT_CONNECT);
  for (const url of config.urls) {
    outcome = await callOne(url, config, body, timeoutMs);
    if (outcome.ok) return outcome;
  }
  return outcome;
}

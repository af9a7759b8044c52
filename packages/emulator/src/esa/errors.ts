import type { ServerResponse } from 'node:http';
import { BodyTooLargeError, sendJson } from '../http.js';

/**
 * An error a POP gateway (the ESA OpenAPI, and STS) answers as JSON. `message` must never contain a
 * secret: it is sent to the client as it is.
 */
export class EsaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EsaApiError';
  }
}

/**
 * What a gateway answers for anything a handler threw: its own `EsaApiError`, 413 for a body over
 * the limit, else a 500 `InternalError` naming the bug.
 */
export function asApiError(error: unknown): EsaApiError {
  if (error instanceof EsaApiError) return error;
  if (error instanceof BodyTooLargeError) {
    return new EsaApiError(
      413,
      'RequestBodyTooLarge',
      `The request body is larger than ${error.limit} bytes.`,
    );
  }
  return new EsaApiError(
    500,
    'InternalError',
    `esa-stage emulator internal error: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/** An `EsaApiError` with HTTP 400, the status of almost every ESA (and STS parameter) error. */
export function badRequest(code: string, message: string): EsaApiError {
  return new EsaApiError(400, code, message);
}

/** The product a gateway error belongs to, as `Recommend` names it. */
export type PopProduct = 'ESA' | 'Sts';

/** The troubleshooting link POP gateways put in `Recommend`. */
export function recommendUrl(code: string, product: PopProduct = 'ESA'): string {
  return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=${product}`;
}

/** The POP error body: `{RequestId, HostId, Code, Message, Recommend}`, in that order. */
export function errorBody(
  error: EsaApiError,
  requestId: string,
  hostId: string,
  product: PopProduct = 'ESA',
): Record<'RequestId' | 'HostId' | 'Code' | 'Message' | 'Recommend', string> {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: recommendUrl(error.code, product),
  };
}

/** Writes an ESA (or STS) JSON error (`application/json;charset=utf-8`, `x-acs-request-id`). */
export function sendEsaError(
  res: ServerResponse,
  error: EsaApiError,
  requestId: string,
  hostId: string,
  product: PopProduct = 'ESA',
): void {
  sendJson(res, error.status, errorBody(error, requestId, hostId, product), requestId);
}

import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { EsaStageError, VerifyError } from '../errors.js';
import { loadUndici } from '../http/load-undici.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import type { Logger } from '../log/logger.js';
import type { Env, StagingVerify } from '../options/types.js';
import { USER_AGENT } from '../version.js';
import type { VersionShare } from './record.js';
import { mostServed } from './routine-state.js';

/** How staging answered the `verify` request. */
export interface StagingCheck {
  /** The request, as `GET https://<host>/<path>` (sent to `ip`). */
  readonly url: string;
  readonly ip: string;
  readonly status: number;
  /** Milliseconds from sending the last request to its answer's end. */
  readonly ms: number;
  /** The first 200 bytes of the answer's body, as text. */
  readonly body: string;
  /** Requests made until staging answered as expected. */
  readonly attempts: number;
}

/** Where staging is asked: the routine's host (`DefaultRelatedRecord`, SNI and Host) at a staging IP. */
export interface StagingAddress {
  readonly host: string;
  readonly ip: string;
}

/**
 * The address to verify staging at: the routine's host and the first of `GetRoutineStagingEnvIp`'s
 * IPs. Asked before anything changes, so a staging that cannot be reached fails the run with
 * nothing done. Pure.
 */
export function stagingAddress(host: string | undefined, ips: readonly string[]): StagingAddress {
  const [ip] = ips;
  if (host && ip) return { host, ip };
  throw new EsaStageError(
    `cannot verify staging: ESA gave ${host ? 'no staging IP (GetRoutineStagingEnvIp)' : 'no host for the routine (GetRoutine DefaultRelatedRecord)'}; nothing was changed`,
    {
      code: 'VerifyFailed',
      hint: 'check the routine in the ESA console (a routine without a domain cannot be reached), or go without verify',
    },
  );
}

/** Where to send the request, and what to say if it fails. */
export interface VerifyTarget {
  readonly verify: StagingVerify;
  readonly name: string;
  readonly address: StagingAddress;
  /** The version staging serves now (the one being verified). */
  readonly codeVersion: string;
  /** What staging served before the deploy, for the way back. */
  readonly before: readonly VersionShare[] | undefined;
  readonly env: Env;
  /** The proxy variables in force: a staging IP is reached through `HTTPS_PROXY` unless `NO_PROXY`. */
  readonly proxy: ProxySettings;
  readonly logger: Logger;
  readonly signal: AbortSignal | undefined;
}

const BODY_SHOWN = 200;
/** Bytes of an answer read at most (the rest is dropped). */
const BODY_READ = 64 * 1024;
const MAX_PAUSE_MS = 5000;
/** The least time left for which another request is worth sending. */
const MIN_ATTEMPT_MS = 100;
/** TLS failures waiting will not fix: the certificate is not trusted or not for this host. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/;

/** What an answer (or a failure) was, for messages: `500 in 12 ms: "oops"`. Pure. */
export function describeAnswer(answer: Pick<StagingCheck, 'status' | 'ms' | 'body'> | Error): string {
  if (answer instanceof Error) return `no answer (${answer.message})`;
  const body = answer.body === '' ? 'an empty body' : JSON.stringify(answer.body);
  return `${answer.status} in ${answer.ms} ms: ${body}`;
}

/** The system's CAs and those of `NODE_EXTRA_CA_CERTS`, read now (node reads it only at start-up). */
async function trustedCas(env: Env, logger: Logger): Promise<string[]> {
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (!extra) return [...rootCertificates];
  try {
    return [...rootCertificates, await readFile(extra, 'utf8')];
  } catch (error) {
    logger.warn(
      `cannot read NODE_EXTRA_CA_CERTS (${extra}): ${(error as Error).message}; trusting the system's CAs only`,
    );
    return [...rootCertificates];
  }
}

function errorCode(error: unknown): string {
  let cause: unknown = error;
  for (let depth = 0; cause instanceof Error && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cause = cause.cause;
  }
  return '';
}

/**
 * Requests the `verify` path from staging, again and again with a growing pause (the new version
 * takes a moment to reach the staging edges), until the status is one the option accepts or the
 * timeout passes. Over HTTPS to a staging IP with the routine's host as SNI and Host, trusting the
 * system's CAs and `NODE_EXTRA_CA_CERTS`: certificates are always checked.
 */
export async function verifyStaging(target: VerifyTarget): Promise<StagingCheck> {
  const { verify, logger } = target;
  const { host, ip } = target.address;
  const shownPort = verify.port === 443 ? '' : `:${verify.port}`;
  const url = `https://${host}${shownPort}${verify.path}`;
  const { EnvHttpProxyAgent } = await loadUndici();
  // The routine's host as SNI, to the staging IP: directly, or inside the proxy's tunnel.
  const tls = { servername: host, ca: await trustedCas(target.env, logger) };
  const { httpProxy, httpsProxy, noProxy } = target.proxy;
  const client = new EnvHttpProxyAgent({ httpProxy, httpsProxy, noProxy, connect: tls, requestTls: tls });
  const origin = `https://${ip}:${verify.port}`;
  const deadline = Date.now() + verify.timeout;
  let attempts = 0;
  let last: StagingCheck | Error | undefined;
  try {
    for (;;) {
      attempts++;
      const started = performance.now();
      try {
        const answer = await client.request({
          origin,
          method: 'GET',
          path: verify.path,
          headers: { host: `${host}${shownPort}`, 'user-agent': USER_AGENT },
          signal: AbortSignal.any([
            AbortSignal.timeout(Math.max(1, Math.min(deadline - Date.now(), 15_000))),
            ...(target.signal ? [target.signal] : []),
          ]),
        });
        const body = await readStart(answer.body);
        last = {
          url,
          ip,
          status: answer.statusCode,
          ms: Math.round(performance.now() - started),
          body,
          attempts,
        };
        if (accepted(verify, answer.statusCode, target)) {
          logger.info(`staging answered GET ${verify.path} with ${describeAnswer(last)}`);
          return last;
        }
        logger.debug(
          `verify ${url} (attempt ${attempts}): ${describeAnswer(last)}; expected ${verify.expected}`,
        );
      } catch (error) {
        if (target.signal?.aborted || error instanceof VerifyError) throw error;
        const code = errorCode(error);
        if (UNTRUSTED.test(code)) {
          throw failure(
            target,
            `staging's certificate for ${host} is not trusted (${code}: ${(error as Error).message})`,
            'VerifyUntrusted',
            undefined,
            error,
          );
        }
        const failed = new Error(code ? `${code}: ${(error as Error).message}` : (error as Error).message);
        logger.debug(`verify ${url} (attempt ${attempts}): ${describeAnswer(failed)}`);
        // Cut short by the deadline, an attempt says less than the answer before it.
        if (Date.now() < deadline || last === undefined || last instanceof Error) last = failed;
      }
      // Another request, after a growing pause, if it still has a moment to be answered in.
      const left = deadline - Date.now() - MIN_ATTEMPT_MS;
      if (left <= 0) break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(250 * 2 ** (attempts - 1), MAX_PAUSE_MS, left)),
      );
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  throw failure(
    target,
    `staging did not answer GET ${url} with ${verify.expected} within ${Math.round(verify.timeout / 1000)} s (${attempts} request${attempts === 1 ? '' : 's'} to ${ip}); last: ${describeAnswer(last ?? new Error('none'))}`,
    'VerifyFailed',
    last,
  );
}

/** Whether `verify.status` accepts a status; a `status` function that throws fails the verify. */
function accepted(verify: StagingVerify, status: number, target: VerifyTarget): boolean {
  try {
    return verify.accepts(status);
  } catch (error) {
    throw failure(
      target,
      `the verify.status function threw for status ${status}: ${error instanceof Error ? error.message : String(error)}`,
      'VerifyFailed',
      undefined,
      error,
    );
  }
}

/** The start of a body, as text; the rest is read up to BODY_READ and dropped. */
async function readStart(body: AsyncIterable<Uint8Array> & { destroy(): void }): Promise<string> {
  const parts: Uint8Array[] = [];
  let read = 0;
  for await (const bytes of body) {
    if (read < BODY_SHOWN) parts.push(bytes);
    read += bytes.length;
    if (read >= BODY_READ) {
      body.destroy();
      break;
    }
  }
  const text = Buffer.concat(parts).subarray(0, BODY_SHOWN).toString('utf8');
  // A multi-byte character cut at the end is dropped.
  return text.replace(/\uFFFD$/, '');
}

function failure(
  target: VerifyTarget,
  message: string,
  code: string,
  last?: StagingCheck | Error,
  cause?: unknown,
): EsaStageError {
  const { name, codeVersion } = target;
  const previous = mostServed(target.before, codeVersion);
  const back = previous
    ? `, or put staging back on ${previous} with \`esa-stage deploy --name ${name} --env staging --version ${previous}\``
    : '';
  const hint =
    code === 'VerifyUntrusted'
      ? `check the address and the host; a private CA (an emulator's) is trusted through NODE_EXTRA_CA_CERTS; certificate checks are never turned off. Staging serves ${codeVersion}; nothing was promoted`
      : `staging serves ${codeVersion} and nothing was promoted: fix the routine (try it: curl --resolve) and publish again${back}`;
  return new VerifyError(`${message}. Staging now serves ${codeVersion}; production was not changed`, {
    code,
    hint,
    cause,
    stagingVersion: codeVersion,
    lastStatus: last instanceof Error || last === undefined ? undefined : last.status,
  });
}

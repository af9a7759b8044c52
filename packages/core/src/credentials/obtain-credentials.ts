import { createHash } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { NormalizedOptions } from '../options/types.js';
import type { CredentialsLookup, ResolvedCredentials } from './resolve-credentials.js';
import type { StsCallOptions, StsCredentials, StsExchange } from './sts-client.js';

interface CacheEntry {
  readonly issued: Promise<StsCredentials>;
  /** Set once issued: when to exchange again (ahead of the expiry). */
  refreshAt: number;
}

/** Issued credentials, per role and identity, for the life of the process. */
const cache = new Map<string, CacheEntry>();

/** Refresh this long before expiry (as `@alicloud/credentials`), or at half the lifetime if shorter. */
const STALE_MS = 15 * 60_000;

/**
 * Who assumes which role where. Not the session name: without one set, each publish names its own
 * (`esa-stage-<ms>`), and they share the first.
 */
function cacheKey(exchange: StsExchange): string {
  const who =
    exchange.action === 'AssumeRoleWithOIDC'
      ? `${exchange.oidcProviderArn}\n${exchange.oidcToken}`
      : `${exchange.credentials.accessKeyId}\n${exchange.credentials.accessKeySecret}\n${exchange.credentials.securityToken ?? ''}`;
  // Hashed: the map must not hold a second copy of a token or secret in readable form.
  return createHash('sha256')
    .update(
      `${exchange.action}\n${exchange.endpoint}\n${exchange.roleArn}\n${exchange.durationSeconds}\n${who}`,
    )
    .digest('hex');
}

/**
 * The credentials to sign with: found ones as they are, a role's from STS. Issued credentials are
 * shared by every publish of the process (20 concurrent publishes make one exchange) and exchanged
 * again once within 15 minutes of their expiry (or past half their lifetime), so a watch-mode
 * build that runs for hours keeps publishing. A failed exchange is not cached.
 */
export async function obtainCredentials(
  lookup: CredentialsLookup,
  options: StsCallOptions,
  /** The clock that decides when cached credentials are stale. @default () => new Date() */
  clock: () => Date = () => new Date(),
): Promise<ResolvedCredentials & { readonly expiration?: Date }> {
  if (!('exchange' in lookup)) return lookup;
  const now = clock().getTime();
  const key = cacheKey(lookup.exchange);
  let entry = cache.get(key);
  if (!entry || entry.refreshAt <= now) {
    const created: CacheEntry = {
      // The STS client (and its signer) loads only for a role: most publishes have a key.
      issued: import('./sts-client.js').then((sts) => sts.exchangeWithSts(lookup.exchange, options)),
      refreshAt: Number.POSITIVE_INFINITY,
    };
    entry = created;
    cache.set(key, created);
    created.issued.then(
      (issued) => {
        const lifetime = issued.expiration.getTime() - now;
        created.refreshAt = issued.expiration.getTime() - Math.min(STALE_MS, lifetime / 2);
      },
      () => {
        if (cache.get(key) === created) cache.delete(key);
      },
    );
  }
  let issued: StsCredentials;
  try {
    issued = await entry.issued;
  } catch (error) {
    // The exchange was shared with a publish whose signal aborted it (and it has left the cache):
    // this publish was not aborted, so it makes its own.
    const aborted = (error as { code?: unknown }).code === 'Aborted';
    if (aborted && !options.signal?.aborted) return obtainCredentials(lookup, options, clock);
    throw error;
  }
  const as = issued.assumedRoleArn ? ` as ${issued.assumedRoleArn}` : '';
  return {
    accessKeyId: issued.accessKeyId,
    accessKeySecret: issued.accessKeySecret,
    securityToken: issued.securityToken,
    expiration: issued.expiration,
    source: `${lookup.source}${as}, valid until ${issued.expiration.toISOString()}`,
  };
}

/** How a publish (or a versions command) talks to STS: its proxy, timeout, retries and signal. */
export function stsCallOptions(
  opts: Pick<NormalizedOptions, 'proxy' | 'timeout' | 'retries' | 'signal'>,
  logger: Logger,
): StsCallOptions {
  return { proxy: opts.proxy, timeout: opts.timeout, retries: opts.retries, signal: opts.signal, logger };
}

/**
 * Drops the issued credentials of a lookup, after ESA refused them (`InvalidSecurityToken.*`,
 * `InvalidAccessKeyId.*`: revoked, or expired early), so that the next publish exchanges again
 * instead of failing until the cache would have refreshed them. Found keys are left alone.
 */
export function forgetIssuedCredentials(lookup: CredentialsLookup, error: unknown): void {
  if (!('exchange' in lookup)) return;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^(InvalidSecurityToken|InvalidAccessKeyId)/.test(code)) {
    cache.delete(cacheKey(lookup.exchange));
  }
}

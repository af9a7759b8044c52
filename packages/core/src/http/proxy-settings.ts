import type { Env } from '../options/types.js';

/** Which proxy, if any, carries requests, as the environment says (curl's variables). */
export interface ProxySettings {
  /** Proxy URL for `http:` origins; '' for none. */
  readonly httpProxy: string;
  /** Proxy URL for `https:` origins; '' falls back to {@link httpProxy}. */
  readonly httpsProxy: string;
  /** `NO_PROXY`: hosts (and `host:port`s, `.suffix`es, `*`) reached directly; '' for none. */
  readonly noProxy: string;
}

function first(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

const HTTP_NAMES = ['http_proxy', 'HTTP_PROXY'] as const;
const HTTPS_NAMES = ['https_proxy', 'HTTPS_PROXY'] as const;
const NO_PROXY_NAMES = ['no_proxy', 'NO_PROXY'] as const;

/** The proxy variables in force, lower case first as curl reads them. Pure. */
export function proxySettings(env: Env): ProxySettings {
  return {
    httpProxy: first(env, HTTP_NAMES)?.value ?? '',
    httpsProxy: first(env, HTTPS_NAMES)?.value ?? '',
    noProxy: first(env, NO_PROXY_NAMES)?.value ?? '',
  };
}

/** Problems with the proxy variables: each must be an http(s) URL of a proxy. Pure. */
export function proxyProblems(env: Env): { option: string; message: string }[] {
  const problems: { option: string; message: string }[] = [];
  for (const names of [HTTP_NAMES, HTTPS_NAMES]) {
    const found = first(env, names);
    if (!found) continue;
    let url: URL | undefined;
    try {
      url = new URL(found.value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      problems.push({
        option: `env ${found.name}`,
        // The value is not echoed: a malformed URL can still hold a password.
        message:
          'is not an http(s) proxy URL; use e.g. http://proxy.example:3128 (or http://user:password@proxy.example:3128)',
      });
    }
  }
  return problems;
}

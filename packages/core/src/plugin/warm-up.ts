import { obtainCredentials, stsCallOptions } from '../credentials/obtain-credentials.js';
import { resolveCredentialsFor } from '../credentials/resolve-credentials.js';
import { EsaClient } from '../esa/client.js';
import { createLogger } from '../log/logger.js';
import { Secrets } from '../log/secrets.js';
import { normalizeOptions } from '../options/normalize.js';
import type { Env, PublishOptions } from '../options/types.js';
import { withProjectConfig } from '../project/project-config.js';

/**
 * One read-only ESA call (`GetRoutine`) at build start, while the bundler works, whose answer is
 * dropped: undici's HTTP parser is WebAssembly, and V8 recompiles it with its optimizing tier
 * once it has parsed a response, on background threads. Done at the end of a build, that compile
 * holds the process's exit ~150-190 ms (node waits for it); done here, it is over by the time the
 * bundle is written. The credentials (an STS exchange, if any, which the publish then reuses) and
 * undici's modules are ready by then too. The options were checked already; any failure is left
 * for the publish itself to report, and nothing is logged.
 */
export async function warmUpPublish(
  given: PublishOptions,
  environment: { readonly env?: Env; readonly homeDir?: string; readonly cwd?: string },
): Promise<void> {
  const env = environment.env ?? process.env;
  const options = await withProjectConfig(given, environment.cwd ?? process.cwd(), env);
  const opts = normalizeOptions(options, env, process.cwd());
  const logger = createLogger({ level: 'silent', secrets: new Secrets() });
  const lookup = await resolveCredentialsFor(opts, { env, homeDir: environment.homeDir });
  const credentials = await obtainCredentials(lookup, stsCallOptions(opts, logger));
  const client = await EsaClient.open({
    endpoint: opts.endpoint,
    proxy: opts.proxy,
    credentials,
    timeout: opts.timeout,
    retries: 0,
    signal: opts.signal,
    logger,
  });
  try {
    await client.call('GetRoutine', { Name: opts.name }, { retries: 0 });
  } finally {
    await client.close();
  }
}

import type { EsaAction } from './common.js';

/** The IPv4 addresses of the staging environment: the `stagingIps` option. */
export const getRoutineStagingEnvIp: EsaAction = (ctx) => ({ IPV4: [...ctx.options.stagingIps] });

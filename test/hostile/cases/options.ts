import type { PublishOptions } from '@esa-stage/core';
import type { HostileCase } from '../harness.js';

// Every bad option (and env switch) is refused before any request, naming the option and the value.

type Bad = readonly [
  label: string,
  options: Record<string, unknown>,
  message: RegExp,
  env?: Record<string, string>,
];

const BAD: readonly Bad[] = [
  ['an empty name', { name: '' }, /name: must be a non-empty string/],
  ['an upper-case name', { name: 'My_Routine' }, /name: "My_Routine" is not a routine name/],
  ['a one-letter name', { name: 'x' }, /name: "x" is not a routine name/],
  ['a numeric name', { name: 42 }, /name: must be a non-empty string, got 42/],
  ['an unknown region', { region: 'mars' }, /region: must be one of cn-hangzhou, ap-southeast-1, got "mars"/],
  [
    'an ftp endpoint',
    { endpoint: 'ftp://esa.example.com' },
    /endpoint: "ftp:\/\/esa\.example\.com" must be an http\(s\) URL/,
  ],
  [
    'plain http to a public host',
    { endpoint: 'http://esa.example.com' },
    /uses plain http to a non-loopback host/,
  ],
  ['an endpoint that is no URL', { endpoint: 'not a url' }, /is not a URL/],
  ['an endpoint with a path', { endpoint: 'https://esa.example.com/v1' }, /must be a bare origin/],
  [
    'an endpoint with a password',
    { endpoint: 'https://u:p@esa.example.com' },
    /must not carry a user name or password/,
  ],
  [
    'deploy "prod"',
    { deploy: 'prod' },
    /deploy: must be 'staging', 'production', false or \{ env, percentage \}, got "prod"/,
  ],
  [
    'deploy to canary',
    { deploy: { env: 'canary', percentage: 10 } },
    /deploy: env must be 'staging' or 'production', got "canary"/,
  ],
  [
    'a 0% canary',
    { deploy: { env: 'production', percentage: 0 } },
    /percentage must be a whole number from 1 to 100, got 0/,
  ],
  ['a 101% canary', { deploy: { env: 'production', percentage: 101 } }, /got 101/],
  ['a 1.5% canary', { deploy: { env: 'production', percentage: 1.5 } }, /got 1\.5/],
  ['a canary percentage as text', { deploy: { env: 'production', percentage: '10' } }, /got "10"/],
  ['deploy true', { deploy: true }, /deploy: must be .*got true/],
  [
    'timeout 0',
    { timeout: 0 },
    /timeout: must be a whole number of milliseconds from 1 to 2147483647, got 0/,
  ],
  ['a negative timeout', { timeout: -5 }, /got -5/],
  ['a fractional timeout', { timeout: 1500.5 }, /got 1500\.5/],
  ['timeout 1e10', { timeout: 1e10 }, /got 10000000000/],
  ['timeout 3e9', { timeout: 3e9 }, /got 3000000000/],
  ['a NaN timeout', { timeout: Number.NaN }, /got NaN/],
  ['an infinite timeout', { timeout: Number.POSITIVE_INFINITY }, /got Infinity/],
  ['a timeout as text', { timeout: '100' }, /got "100"/],
  ['retries -1', { retries: -1 }, /retries: must be a whole number from 0 to 10, got -1/],
  ['retries 11', { retries: 11 }, /got 11/],
  ['retries 1.5', { retries: 1.5 }, /got 1\.5/],
  ['retries as text', { retries: '3' }, /got "3"/],
  [
    'an unknown log level',
    { logLevel: 'loud' },
    /logLevel: must be one of silent, error, warn, info, debug, got "loud"/,
  ],
  ['a logger without methods', { logger: {} }, /logger: must have debug, info, warn and error methods/],
  ['an empty chunk list', { chunk: [] }, /chunk: must be a file name/],
  ['an empty chunk name', { chunk: '' }, /chunk: must be a file name/],
  ['a numeric chunk', { chunk: 42 }, /chunk: .*got 42/],
  ['a numeric description', { description: 42 }, /description: must be a string or a function, got 42/],
  ['skipUnchanged as text', { skipUnchanged: 'yes' }, /skipUnchanged: must be true or false, got "yes"/],
  [
    'pruneVersions keep 0',
    { pruneVersions: { keep: 0 } },
    /pruneVersions: must be \{ keep: <whole number from 1 to 1000> \}, got keep 0/,
  ],
  ['pruneVersions keep as text', { pruneVersions: { keep: '5' } }, /got keep "5"/],
  ['pruneVersions as a number', { pruneVersions: 5 }, /pruneVersions: .*got 5/],
  ['an unknown deployApi', { deployApi: 'v2' }, /deployApi: must be 'deployment' or 'legacy', got "v2"/],
  ['a misspelt option', { nmae: 'x' }, /nmae: is not an esa-stage option/],
  ['dryRun as text', { dryRun: 'true' }, /dryRun: must be true or false, got "true"/],
  ['a signal that is not an AbortSignal', { signal: {} }, /signal: must be an AbortSignal/],
  ['an empty profile', { profile: '' }, /profile: must be a non-empty string/],
  ['an empty cwd', { cwd: '' }, /cwd: must be a non-empty string/],
  [
    'credentials as a string',
    { credentials: 'LTAI:secret' },
    /credentials: must be \{ accessKeyId, accessKeySecret \}/,
  ],
  [
    'credentials without a secret',
    { credentials: { accessKeyId: 'LTAIabcdef' } },
    /credentials\.accessKeySecret: must be a non-empty string/,
  ],
  [
    'a blank ESA_ENDPOINT',
    { endpoint: undefined },
    /env ESA_ENDPOINT: is set but empty/,
    { ESA_ENDPOINT: '  ' },
  ],
  [
    'an ftp ESA_ENDPOINT',
    { endpoint: undefined },
    /env ESA_ENDPOINT: .*must be an http\(s\) URL/,
    { ESA_ENDPOINT: 'ftp://x.example' },
  ],
  ['ESA_STAGE_DRY_RUN=maybe', {}, /env ESA_STAGE_DRY_RUN: must be 1 or 0/, { ESA_STAGE_DRY_RUN: 'maybe' }],
  [
    'ESA_STAGE_DISABLED=sometimes',
    {},
    /env ESA_STAGE_DISABLED: must be 1 or 0/,
    { ESA_STAGE_DISABLED: 'sometimes' },
  ],
  [
    'several problems at once',
    { name: 'X', region: 'mars', timeout: -1 },
    /^3 problems: name: .*region: .*timeout: /,
  ],
];

export const optionCases: HostileCase[] = BAD.map(([label, options, message, env]) => ({
  name: label,
  expect: { code: 'InvalidConfig', message },
  run: (ctx) => ctx.publish(options as Partial<PublishOptions>, undefined, env),
}));

import type { PublishedResult } from '@esa-stage/core';
import type { Emulator } from '@esa-stage/emulator';
import type { ViteEsaStageOptions } from '@esa-stage/vite-plugin';

/** Plugin options that publish `name` to the emulator from `cwd`, collecting results in `published`. */
export function emulatorPluginOptions(
  emulator: Emulator,
  name: string,
  cwd: string,
  published: PublishedResult[] = [],
): ViteEsaStageOptions {
  return {
    name,
    endpoint: emulator.endpoint,
    credentials: {
      accessKeyId: emulator.credentials.accessKeyId,
      accessKeySecret: emulator.credentials.accessKeySecret,
    },
    cwd,
    logLevel: 'silent',
    onPublished: (result) => {
      published.push(result);
    },
  };
}

/** A Vite `customLogger` that keeps every message (info too, when `keepInfo`) in `lines`. */
export function collectingViteLogger(lines: string[], keepInfo = true) {
  const keep = (message: string) => {
    lines.push(message);
  };
  return {
    info: keepInfo ? keep : () => undefined,
    warn: keep,
    warnOnce: keep,
    error: keep,
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
    hasWarned: false,
  };
}

/** The fault that makes OSS answer as it does once a PostObject policy has expired. */
export const EXPIRED_POLICY_FAULT = {
  oss: true,
  status: 403,
  code: 'AccessDenied',
  message: 'Invalid according to Policy: Policy expired.',
  times: 1,
} as const;

/** The env a CI job would give a publish to the emulator: its endpoint and AccessKey. */
export function emulatorEnv(emulator: Emulator): Record<string, string> {
  return {
    ESA_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
  };
}

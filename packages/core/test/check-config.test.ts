import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, checkPublishConfig } from '../src/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'esa-stage-check-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('checkPublishConfig', () => {
  it('resolves where the credentials come from', async () => {
    const found = await checkPublishConfig(
      { name: 'ok-routine' },
      { env: { ESA_ACCESS_KEY_ID: 'id', ESA_ACCESS_KEY_SECRET: 'secret' }, homeDir: home },
    );
    expect(found?.source).toBe('env ESA_ACCESS_KEY_ID');
  });

  it('reports bad options before looking for credentials', async () => {
    const error = await checkPublishConfig({ name: 'Nope!' }, { env: {}, homeDir: home }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('InvalidConfig');
  });

  it('lets a dry run go ahead without credentials, but still checks its options', async () => {
    expect(
      await checkPublishConfig({ name: 'ok-routine', dryRun: true }, { env: {}, homeDir: home }),
    ).toBeUndefined();
    const error = await checkPublishConfig({ name: 'x', dryRun: true }, { env: {}, homeDir: home }).catch(
      (e: unknown) => e,
    );
    expect((error as ConfigError).code).toBe('InvalidConfig');
  });

  it('reports missing credentials', async () => {
    const error = await checkPublishConfig({ name: 'ok-routine' }, { env: {}, homeDir: home }).catch(
      (e: unknown) => e,
    );
    expect((error as ConfigError).code).toBe('CredentialsNotFound');
  });
});

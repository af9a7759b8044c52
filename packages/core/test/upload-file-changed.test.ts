import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssError } from '../src/index.js';
import { createLogger } from '../src/log/logger.js';
import { Secrets } from '../src/log/secrets.js';
import { uploadToOss } from '../src/oss/upload.js';

let dir: string;
let server: Server;
let url: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-changed-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
    req.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const target = () => ({
  url,
  objectKey: 'k',
  fields: [
    { name: 'key', value: 'k' },
    { name: 'policy', value: 'p' },
    { name: 'OSSAccessKeyId', value: 'a' },
    { name: 'Signature', value: 's' },
  ],
});
const options = {
  proxy: { httpProxy: '', httpsProxy: '', noProxy: '' },
  timeout: 5000,
  retries: 2,
  logger: createLogger({ level: 'silent', secrets: new Secrets() }),
};

describe('uploadToOss with a file that changes while it is read', () => {
  it.each([
    ['shrank', 10],
    ['grew', -10],
  ])('fails with FileChanged, without retrying, when the file %s', async (_how, delta) => {
    const path = join(dir, `f${delta}.js`);
    await writeFile(path, 'x'.repeat(100_000));
    const error = await uploadToOss(
      target(),
      { fileName: 'f.js', source: { path }, size: 100_000 + delta },
      options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OssError);
    expect((error as OssError).code).toBe('FileChanged');
    expect((error as OssError).message).toMatch(/changed while it was uploaded/);
  });

  it('uploads when the size is right', async () => {
    const path = join(dir, 'ok.js');
    await writeFile(path, 'y'.repeat(300_000));
    const result = await uploadToOss(
      target(),
      { fileName: 'ok.js', source: { path }, size: 300_000 },
      options,
    );
    expect(result.status).toBe(204);
  });
});

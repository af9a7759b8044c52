import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Esa, {
  CommitRoutineStagingCodeRequest,
  CreateRoutineRequest,
  GetRoutineRequest,
  GetRoutineStagingCodeUploadInfoRequest,
  PublishRoutineCodeVersionRequest,
} from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import FormData from 'form-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorCredential, startEmulator } from '../src/index.js';

// The whole publish with no code of ours on the client side: the official SDK for ESA, the
// third-party `form-data` package for the OSS form (shaped as esa-cli sends it), Node's http.

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function sdk(credential: EmulatorCredential): Esa {
  return new Esa(
    new $OpenApiUtil.Config({
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      ...(credential.securityToken && { securityToken: credential.securityToken }),
      endpoint: new URL(emulator.endpoint).host,
      protocol: 'http',
    }),
  );
}

function submit(form: FormData, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    form.submit(url, (error: Error | null, res: IncomingMessage) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
  });
}

describe.each([
  ['an AccessKey', () => emulator.credentials as EmulatorCredential],
  ['STS credentials', () => emulator.credentials.sts],
])('official SDK + form-data round trip with %s', (label, credential) => {
  it('uploads, commits, deploys to staging and stores the exact bytes', async () => {
    const client = sdk(credential());
    const name = label === 'an AccessKey' ? 'sdk-ak' : 'sdk-sts';
    const description = 'v1 build #42 (ok)*~ 中文';
    const code = `export default { async fetch() { return new Response(${JSON.stringify(`hello ${name} ✓`)}); } };\n`;

    await client.createRoutine(new CreateRoutineRequest({ name, description: 'round trip' }));
    const info = await client.getRoutineStagingCodeUploadInfo(
      new GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: description }),
    );
    const config = info.body?.ossPostConfig as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual(
      ['OSSAccessKeyId', 'Signature', 'Url', 'callback', 'key', 'policy', 'x:codeDescription'].sort(),
    );
    expect(info.body?.codeVersion).toMatch(/^\d{19}$/);

    // esa-cli's field order, and its file part: a string without filename or content type.
    const form = new FormData();
    for (const field of ['OSSAccessKeyId', 'Signature', 'callback', 'x:codeDescription', 'policy', 'key']) {
      form.append(field, config[field] ?? '');
    }
    form.append('file', code);
    const upload = await submit(form, config.Url ?? '');
    expect(upload.status).toBe(200);
    expect(JSON.parse(upload.body)).toBeTypeOf('object');

    const commit = await client.commitRoutineStagingCode(
      new CommitRoutineStagingCodeRequest({ name, codeDescription: description }),
    );
    const codeVersion = commit.body?.codeVersion ?? '';
    expect(codeVersion).toMatch(/^\d{19}$/);

    await client.publishRoutineCodeVersion(
      new PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion }),
    );
    const routine = await client.getRoutine(new GetRoutineRequest({ name }));
    const staging = routine.body?.envs?.find((e) => e.env === 'staging');
    expect(staging?.codeDeploy?.codeVersions?.[0]?.codeVersion).toBe(codeVersion);
    expect(
      routine.body?.envs?.find((e) => e.env === 'production')?.codeDeploy?.codeVersions ?? [],
    ).toHaveLength(0);

    const versionUrl = `${emulator.endpoint}/__emulator/routines/${name}/versions/${codeVersion}`;
    const meta = (await (await fetch(versionUrl)).json()) as Record<string, unknown>;
    const sha256 = createHash('sha256').update(code).digest('hex');
    expect(meta).toMatchObject({
      name,
      codeVersion,
      description,
      size: Buffer.byteLength(code),
      sha256,
      deployedTo: ['staging'],
    });
    const bytes = Buffer.from(await (await fetch(`${versionUrl}/code`)).arrayBuffer());
    expect(bytes.equals(Buffer.from(code))).toBe(true);
  });
});

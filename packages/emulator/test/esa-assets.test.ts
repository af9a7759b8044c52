// Routines with assets (esa-cli 1.x's pipeline): CreateRoutine HasAssets,
// CreateRoutineWithAssetsCodeVersion through the official SDK, the zip PostObject (form-data, zips
// made by yazl), the build, GetRoutineCodeVersionInfo through openapi-client, and deployment.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, DEFAULT_ASSETS_BUILD_FAILURE, type Emulator, startEmulator } from '../src/index.js';
import {
  type AssetsPostConfig,
  makeZip,
  patchBytes,
  patchUncompressedSize,
  uploadZip,
  type ZipEntry,
} from './assets-helpers.js';
import {
  callRaw,
  cliCall,
  cliCallJson,
  type EsaClient,
  esa,
  sdkClient,
  sdkError,
  stageCode,
} from './esa-helpers.js';
import { aliOssSign } from './oss-helpers.js';

let emulator: Emulator;
let client: InstanceType<typeof EsaClient>;

beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 100 });
  client = sdkClient(emulator, emulator.credentials);
});

afterAll(async () => {
  await emulator.close();
});

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const ROUTINE_CODE = 'export default { fetch(request) { return new Response("héllo ✓ 😀"); } };\n';
const PNG = randomBytes(3000);
const SITE: readonly ZipEntry[] = [
  { directory: 'routine/' },
  { name: 'routine/index.js', data: ROUTINE_CODE },
  { directory: 'assets/img' },
  { name: 'assets/index.html', data: '<!doctype html><title>hi</title>\n' },
  { name: 'assets/img/logo.png', data: PNG, compress: false },
  { name: 'assets/文档/über uns.txt', data: 'ünïcödé path\n' },
];

interface CreatedVersion {
  readonly codeVersion: string;
  readonly status: string | undefined;
  readonly config: AssetsPostConfig;
}

/** `CreateRoutineWithAssetsCodeVersion` through the official SDK. */
async function createVersion(
  name: string,
  extra: { codeDescription?: string; extraInfo?: string; buildId?: number; notFoundStrategy?: string } = {},
  target: InstanceType<typeof EsaClient> = client,
): Promise<CreatedVersion> {
  const { notFoundStrategy, ...rest } = extra;
  const res = await target.createRoutineWithAssetsCodeVersion(
    new esa.CreateRoutineWithAssetsCodeVersionRequest({
      name,
      ...rest,
      ...(notFoundStrategy === undefined
        ? {}
        : {
            confOptions: new esa.CreateRoutineWithAssetsCodeVersionRequestConfOptions({ notFoundStrategy }),
          }),
    }),
  );
  expect(res.statusCode).toBe(200);
  return {
    codeVersion: res.body?.codeVersion ?? '',
    status: res.body?.status,
    config: res.body?.ossPostConfig ?? {},
  };
}

/** `GetRoutineCodeVersionInfo` as esa-cli calls it: openapi-client, GET, query {Name, CodeVersion}. */
function versionInfo(name: string, codeVersion: string, target: Emulator = emulator) {
  return cliCall(target, target.credentials, 'GetRoutineCodeVersionInfo', {
    Name: name,
    CodeVersion: codeVersion,
  });
}

async function admin(path: string, target: Emulator = emulator): Promise<Response> {
  return fetch(`${target.endpoint}/__emulator/${path}`);
}

async function adminJson<T = Record<string, unknown>>(path: string, target: Emulator = emulator): Promise<T> {
  const res = await admin(path, target);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function adminBytes(path: string): Promise<Buffer> {
  const res = await admin(path);
  expect(res.status, path).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

function deploy(name: string, codeVersion: string, env = 'staging') {
  return client.createRoutineCodeDeployment(
    new esa.CreateRoutineCodeDeploymentRequest({
      name,
      env,
      strategy: 'percentage',
      codeVersions: [
        new esa.CreateRoutineCodeDeploymentRequestCodeVersions({ codeVersion, percentage: 100 }),
      ],
    }),
  );
}

/** Creates a version, uploads `zip` and answers the version's info once its build has settled. */
async function uploadAndSettle(
  name: string,
  zip: Buffer,
): Promise<{ codeVersion: string; info: Record<string, unknown> }> {
  const { codeVersion, config } = await createVersion(name);
  const upload = await uploadZip(config, zip);
  expect(upload.status, upload.body).toBe(204);
  return { codeVersion, info: await versionInfo(name, codeVersion) };
}

describe('CreateRoutine HasAssets', () => {
  it('is stored and answered by GetRoutine and the admin view', async () => {
    await client.createRoutine(new esa.CreateRoutineRequest({ name: 'with-assets', hasAssets: true }));
    await client.createRoutine(new esa.CreateRoutineRequest({ name: 'without-assets' }));
    const withAssets = await client.getRoutine(new esa.GetRoutineRequest({ name: 'with-assets' }));
    const without = await client.getRoutine(new esa.GetRoutineRequest({ name: 'without-assets' }));
    expect(withAssets.body?.hasAssets).toBe(true);
    expect(without.body?.hasAssets).toBe(false);
    expect(emulator.state.routines.get('with-assets')?.hasAssets).toBe(true);
    expect((await adminJson('routines/with-assets')).hasAssets).toBe(true);
    // esa-cli's call: GET with query {Name, Description: '', HasAssets: true}.
    expect(
      await cliCall(emulator, emulator.credentials, 'CreateRoutine', {
        Name: 'cli-assets',
        Description: '',
        HasAssets: 'true',
      }),
    ).toMatchObject({ Status: 'OK' });
    expect(
      (await cliCall(emulator, emulator.credentials, 'GetRoutine', { Name: 'cli-assets' })).HasAssets,
    ).toBe(true);
    const bad = await sdkError(
      cliCall(emulator, emulator.credentials, 'CreateRoutine', { Name: 'bad-assets', HasAssets: 'yes' }),
    );
    expect([bad.code, bad.message]).toEqual([
      'InvalidParameter',
      expect.stringContaining('HasAssets must be true or false, got "yes"'),
    ]);
  });
});

describe('CreateRoutineWithAssetsCodeVersion → PostObject → GetRoutineCodeVersionInfo → deploy', () => {
  const name = 'site';

  it('round-trips a routine and its assets byte for byte', async () => {
    await client.createRoutine(new esa.CreateRoutineRequest({ name, hasAssets: true }));
    const extraInfo = JSON.stringify({ Source: 'CLI' });
    const created = await createVersion(name, {
      codeDescription: 'v1 (ok)*~ 中文',
      extraInfo,
      buildId: 42,
      notFoundStrategy: 'singlePageApplication',
    });
    const { codeVersion, config } = created;
    expect(codeVersion).toMatch(/^\d{19}$/);
    expect(created.status).toBe('init');

    // The typed OssPostConfig: capitalised Key/Policy on the wire, no callback, empty STS token.
    const key = `site_er_assets/${name}/${codeVersion}.zip`;
    expect(config).toEqual({
      url: emulator.ossEndpoint,
      key,
      policy: expect.any(String),
      OSSAccessKeyId: emulator.bucket.accessKeyId,
      signature: expect.any(String),
      XOssSecurityToken: '',
    });
    const ticket = emulator.state.tickets.get(key);
    expect(ticket).toMatchObject({ kind: 'assets', routine: name, codeVersion });
    expect(Object.keys(ticket?.postConfig ?? {}).sort()).toEqual(
      ['Key', 'OSSAccessKeyId', 'Policy', 'Signature', 'Url', 'XOssSecurityToken'].sort(),
    );
    const policy = JSON.parse(Buffer.from(config.policy ?? '', 'base64').toString('utf8'));
    expect(policy.conditions).toEqual([
      { bucket: emulator.bucket.name },
      ['eq', '$key', key],
      ['content-length-range', 1, 5 * 1024 ** 3],
    ]);
    // ali-oss is an independent oracle of the V1 signature.
    expect(aliOssSign(emulator.bucket, emulator.bucket.name, policy)).toEqual({
      OSSAccessKeyId: emulator.bucket.accessKeyId,
      Signature: config.signature,
      policy: config.policy,
    });

    const before = await versionInfo(name, codeVersion);
    expect(before).toEqual({
      RequestId: expect.any(String),
      CodeVersion: codeVersion,
      Status: 'init',
      CodeDescription: 'v1 (ok)*~ 中文',
      CreateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      HasAssets: false,
      ExtraInfo: extraInfo,
      BuildId: 42,
      ConfOptions: { NotFoundStrategy: 'SinglePageApplication' },
    });
    const early = await sdkError(deploy(name, codeVersion));
    expect([early.statusCode, early.code]).toEqual([400, 'InvalidParameter']);
    expect(early.message).toContain(
      `Code version ${codeVersion} of routine ${name} cannot be deployed: its status is init`,
    );

    const zip = await makeZip(SITE);
    const upload = await uploadZip(config, zip);
    expect(upload.status).toBe(204);
    expect(upload.body).toBe('');
    expect(upload.headers.etag).toBe(`"${createHash('md5').update(zip).digest('hex').toUpperCase()}"`);
    expect(emulator.state.objects.get(key)?.sha256).toBe(sha256(zip));

    const after = await versionInfo(name, codeVersion);
    expect(after).toMatchObject({
      CodeVersion: codeVersion,
      Status: 'available',
      HasAssets: true,
      ExtraInfo: extraInfo,
      BuildId: 42,
      ConfOptions: { NotFoundStrategy: 'SinglePageApplication' },
      CreateTime: before.CreateTime,
    });

    // The version as stored, through the inspection routes.
    const versionPath = `routines/${name}/versions/${codeVersion}`;
    expect(await adminJson(versionPath)).toMatchObject({
      codeVersion,
      status: 'available',
      failureReason: null,
      hasRoutine: true,
      hasAssets: true,
      notFoundStrategy: 'SinglePageApplication',
      extraInfo,
      buildId: 42,
      size: Buffer.byteLength(ROUTINE_CODE),
      sha256: sha256(ROUTINE_CODE),
    });
    expect((await adminBytes(`${versionPath}/code`)).equals(Buffer.from(ROUTINE_CODE))).toBe(true);
    const files = new Map<string, Buffer>([
      ['index.html', Buffer.from('<!doctype html><title>hi</title>\n')],
      ['img/logo.png', PNG],
      ['文档/über uns.txt', Buffer.from('ünïcödé path\n')],
    ]);
    expect(await adminJson(`${versionPath}/assets`)).toEqual(
      [...files.keys()].sort().map((path) => ({
        path,
        size: files.get(path)?.length,
        sha256: sha256(files.get(path) ?? ''),
      })),
    );
    for (const [path, bytes] of files) {
      const url = `${versionPath}/assets/${path.split('/').map(encodeURIComponent).join('/')}`;
      const res = await admin(url);
      expect(res.headers.get('x-esa-stage-sha256')).toBe(sha256(bytes));
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), path).toBe(true);
    }
    expect((await admin(`${versionPath}/assets/nope.txt`)).status).toBe(404);
    expect((await admin(`${versionPath}/assets/img`)).status).toBe(404);
    const stored = emulator.state.routines.get(name)?.versions.get(codeVersion);
    expect(stored?.routine?.equals(Buffer.from(ROUTINE_CODE))).toBe(true);
    expect([...(stored?.assets.keys() ?? [])].sort()).toEqual([...files.keys()].sort());

    const code = await client.getRoutineCodeVersion(
      new esa.GetRoutineCodeVersionRequest({ name, codeVersion }),
    );
    expect(code.body?.routineCode).toBe(ROUTINE_CODE);
    expect(code.body?.codeDescription).toBe('v1 (ok)*~ 中文');

    // Available: it deploys, to both environments as esa-cli does.
    await deploy(name, codeVersion, 'staging');
    await client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name, env: 'production', codeVersion }),
    );
    const routine = await client.getRoutine(new esa.GetRoutineRequest({ name }));
    expect(routine.body?.envs?.map((e) => [e.env, e.codeDeploy?.codeVersions?.[0]?.codeVersion])).toEqual([
      ['production', codeVersion],
      ['staging', codeVersion],
    ]);
    expect((await adminJson(versionPath)).deployedTo).toEqual(['production', 'staging']);
  });

  it('lists assets versions with Status, ExtraInfo, BuildId and ConfOptions', async () => {
    const plain = await createVersion(name, { codeDescription: 'plain' });
    const failed = await createVersion(name, { notFoundStrategy: '404page', buildId: 7 });
    await uploadZip(failed.config, Buffer.from('not a zip'));
    const list = await client.listRoutineCodeVersions(new esa.ListRoutineCodeVersionsRequest({ name }));
    const items = list.body?.codeVersions ?? [];
    expect(list.body?.totalCount).toBe(3);
    expect(
      items.map((v) => [v.codeVersion, v.status, v.extraInfo, v.buildId, v.confOptions?.notFoundStrategy]),
    ).toEqual([
      [failed.codeVersion, 'Failed', '', 7, '404Page'],
      [plain.codeVersion, 'Init', '', 0, ''],
      [expect.any(String), 'Available', JSON.stringify({ Source: 'CLI' }), 42, 'SinglePageApplication'],
    ]);
  });

  it('answers 200 when success_action_status says so, and keeps the policy to its key', async () => {
    const { codeVersion, config } = await createVersion(name);
    const zip = await makeZip([{ name: 'assets/a.txt', data: 'a' }]);
    const wrongKey = await uploadZip({ ...config, key: `site_er_assets/${name}/other.zip` }, zip);
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.body).toContain('Policy Condition failed: [&#34;eq&#34;, &#34;$key&#34;');
    const ok = await uploadZip(config, zip, { success_action_status: '200' });
    expect([ok.status, ok.body]).toEqual([200, '']);
    expect((await versionInfo(name, codeVersion)).Status).toBe('available');
  });
});

describe('assets zips', () => {
  it('takes an assets-only zip (no routine) and a routine-only zip (no assets)', async () => {
    const name = 'zip-kinds';
    await client.createRoutine(new esa.CreateRoutineRequest({ name, hasAssets: true }));
    const assetsOnly = await uploadAndSettle(
      name,
      await makeZip([{ name: 'assets/index.html', data: '<p>' }]),
    );
    expect(assetsOnly.info).toMatchObject({ Status: 'available', HasAssets: true });
    const code = await client.getRoutineCodeVersion(
      new esa.GetRoutineCodeVersionRequest({ name, codeVersion: assetsOnly.codeVersion }),
    );
    expect(code.body?.routineCode).toBe('');
    expect(await adminJson(`routines/${name}/versions/${assetsOnly.codeVersion}`)).toMatchObject({
      hasRoutine: false,
      hasAssets: true,
      size: 0,
    });

    const routineOnly = await uploadAndSettle(
      name,
      await makeZip([{ name: 'routine/index.js', data: ROUTINE_CODE }]),
    );
    expect(routineOnly.info).toMatchObject({ Status: 'available', HasAssets: false });
    expect(await adminJson(`routines/${name}/versions/${routineOnly.codeVersion}/assets`)).toEqual([]);
    const js = await client.getRoutineCodeVersion(
      new esa.GetRoutineCodeVersionRequest({ name, codeVersion: routineOnly.codeVersion }),
    );
    expect(js.body?.routineCode).toBe(ROUTINE_CODE);
    expect((await deploy(name, routineOnly.codeVersion)).statusCode).toBe(200);
  });

  it('marks the version failed, with a reason, for every zip ESA refuses; OSS still answers 204', async () => {
    const name = 'bad-zips';
    await client.createRoutine(new esa.CreateRoutineRequest({ name, hasAssets: true }));
    const site = await makeZip(SITE);
    const stored = await makeZip([
      { name: 'assets/stored.txt', data: 'UNIQUE-CONTENT-1234', compress: false },
    ]);
    const big = 'x'.repeat(5000);
    const deflated = await makeZip([{ name: 'assets/big.txt', data: big }]);
    const cases: Array<{ readonly what: string; readonly zip: Buffer; readonly reason: string }> = [
      {
        what: 'not a zip',
        zip: Buffer.from('this is not a zip file'),
        reason: 'the upload is not a valid zip',
      },
      {
        what: 'a truncated zip',
        zip: site.subarray(0, site.length - 30),
        reason: 'the upload is not a valid zip',
      },
      {
        what: 'a wrong CRC-32',
        zip: patchBytes(stored, 'UNIQUE-CONTENT-1234', 'UNIQUE-CONTENT-9999'),
        reason: 'entry "assets/stored.txt" fails its CRC-32 check',
      },
      {
        what: 'a size larger than the data',
        zip: patchUncompressedSize(deflated, 'assets/big.txt', big.length + 10),
        reason: 'entry "assets/big.txt" is corrupt: not enough bytes',
      },
      {
        what: 'a size smaller than the data',
        zip: patchUncompressedSize(deflated, 'assets/big.txt', big.length - 10),
        reason: 'entry "assets/big.txt" is corrupt: too many bytes',
      },
      {
        what: 'a stored entry whose sizes disagree',
        zip: patchUncompressedSize(stored, 'assets/stored.txt', 3),
        reason: 'the zip is corrupt: compressed/uncompressed size mismatch',
      },
      {
        what: 'an entry outside routine/index.js and assets/',
        zip: await makeZip([
          { name: 'assets/a.txt', data: 'a' },
          { name: 'esa.jsonc', data: '{}' },
        ]),
        reason: 'entry "esa.jsonc" is outside routine/index.js and assets/**',
      },
      {
        what: 'another file under routine/',
        zip: await makeZip([{ name: 'routine/other.js', data: '1' }]),
        reason: 'entry "routine/other.js" is outside',
      },
      {
        what: 'an absolute path',
        zip: patchBytes(
          await makeZip([{ name: 'assets/abs.txt', data: 'a' }]),
          'assets/abs.txt',
          '/assets/ab.txt',
        ),
        reason: 'entry "/assets/ab.txt" has an absolute path',
      },
      {
        what: 'a drive letter',
        zip: patchBytes(
          await makeZip([{ name: 'assets/drv.txt', data: 'a' }]),
          'assets/drv.txt',
          'C:assets/d.txt',
        ),
        reason: 'entry "C:assets/d.txt" has an absolute path',
      },
      {
        what: 'a ".." segment',
        zip: patchBytes(
          await makeZip([{ name: 'assets/dd/x.txt', data: 'a' }]),
          'assets/dd/x.txt',
          'assets/../x.txt',
        ),
        reason: 'entry "assets/../x.txt" has a ".." segment',
      },
      {
        what: 'a backslash',
        zip: patchBytes(
          await makeZip([{ name: 'assets/b/x.txt', data: 'a' }]),
          'assets/b/x.txt',
          'assets\\b\\x.txt',
        ),
        reason: 'has a backslash in its path',
      },
      {
        what: 'a duplicate path',
        zip: await makeZip([
          { name: 'assets/a.txt', data: 'one' },
          { name: 'assets/a.txt', data: 'two' },
        ]),
        reason: 'entry "assets/a.txt" appears more than once',
      },
      {
        what: 'directories only',
        zip: await makeZip([{ directory: 'routine/' }, { directory: 'assets/' }]),
        reason: 'the zip holds neither routine/index.js nor any file under assets/',
      },
      {
        what: 'an empty zip',
        zip: await makeZip([]),
        reason: 'the zip holds neither routine/index.js nor any file under assets/',
      },
    ];
    for (const c of cases) {
      const { codeVersion, info } = await uploadAndSettle(name, c.zip);
      expect([info.Status, info.HasAssets], c.what).toEqual(['failed', false]);
      const view = await adminJson(`routines/${name}/versions/${codeVersion}`);
      expect([view.status, view.failureReason], c.what).toEqual([
        'failed',
        expect.stringContaining(c.reason),
      ]);
      expect(view.hasRoutine, c.what).toBe(false);
    }

    // A failed version cannot be deployed, and can be deleted.
    const failed = [...(emulator.state.routines.get(name)?.versions.values() ?? [])][0];
    const codeVersion = failed?.codeVersion ?? '';
    const refused = await sdkError(deploy(name, codeVersion));
    expect([refused.code, refused.message]).toEqual([
      'InvalidParameter',
      expect.stringContaining(`its status is failed (the upload is not a valid zip`),
    ]);
    const published = await sdkError(
      client.publishRoutineCodeVersion(
        new esa.PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion }),
      ),
    );
    expect([published.code, published.message]).toEqual([
      'InvalidParameter',
      expect.stringContaining('its status is failed'),
    ]);
    const deleted = await client.deleteRoutineCodeVersion(
      new esa.DeleteRoutineCodeVersionRequest({ name, codeVersion }),
    );
    expect(deleted.body?.status).toBe('OK');
    expect(emulator.state.routines.get(name)?.versions.has(codeVersion)).toBe(false);
  });

  it('leaves a version alone once its build is over (no delay: at once)', async () => {
    const name = 'retried';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const good = await makeZip([{ name: 'assets/a.txt', data: 'good' }]);
    const broken = await createVersion(name);
    await uploadZip(broken.config, Buffer.from('broken'));
    expect((await uploadZip(broken.config, good)).status).toBe(204);
    expect((await versionInfo(name, broken.codeVersion)).Status).toBe('failed');
    const { codeVersion, config } = await createVersion(name);
    await uploadZip(config, good);
    expect((await uploadZip(config, await makeZip([{ name: 'assets/a.txt', data: 'later' }]))).status).toBe(
      204,
    );
    expect((await versionInfo(name, codeVersion)).Status).toBe('available');
    expect(
      emulator.state.routines.get(name)?.versions.get(codeVersion)?.assets.get('a.txt')?.toString(),
    ).toBe('good');
    // Deleted before its upload: the zip is stored, no version comes back.
    const gone = await createVersion(name);
    await client.deleteRoutineCodeVersion(
      new esa.DeleteRoutineCodeVersionRequest({ name, codeVersion: gone.codeVersion }),
    );
    expect((await uploadZip(gone.config, good)).status).toBe(204);
    expect(emulator.state.routines.get(name)?.versions.has(gone.codeVersion)).toBe(false);
  });

  it('is not staging code: the upload callback receiver refuses its object', async () => {
    const name = 'no-callback';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const { codeVersion, config } = await createVersion(name);
    await uploadZip(config, await makeZip([{ name: 'assets/a.txt', data: 'a' }]));
    const res = await request(`${emulator.endpoint}${CALLBACK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ object: config.key, size: 1 }),
    });
    const body = (await res.body.json()) as Record<string, unknown>;
    expect([res.statusCode, body.Code]).toEqual([400, 'InvalidCallback']);
    expect(String(body.Message)).toContain(`is the zip of assets version ${codeVersion}`);
    expect(emulator.state.routines.get(name)?.staging).toBeUndefined();
  });
});

describe('assetsBuild faults', () => {
  it('fail the next valid builds with their message, then builds succeed again', async () => {
    const name = 'build-faults';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const zip = await makeZip([{ name: 'routine/index.js', data: ROUTINE_CODE }]);
    emulator.faults.inject({ assetsBuild: true, message: 'npm run build exited with code 1', times: 1 });
    // A zip refused on its own does not use up the fault.
    const broken = await uploadAndSettle(name, Buffer.from('broken'));
    expect((await adminJson(`routines/${name}/versions/${broken.codeVersion}`)).failureReason).toContain(
      'not a valid zip',
    );
    const failed = await uploadAndSettle(name, zip);
    expect(failed.info.Status).toBe('failed');
    expect(await adminJson(`routines/${name}/versions/${failed.codeVersion}`)).toMatchObject({
      status: 'failed',
      failureReason: 'npm run build exited with code 1',
      hasRoutine: false,
    });
    expect((await uploadAndSettle(name, zip)).info.Status).toBe('available');

    // Over HTTP, without a message.
    const add = await fetch(`${emulator.endpoint}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ assetsBuild: true, times: 1 }),
    });
    expect(add.status).toBe(201);
    const viaHttp = await uploadAndSettle(name, zip);
    expect(viaHttp.info.Status).toBe('failed');
    expect((await adminJson(`routines/${name}/versions/${viaHttp.codeVersion}`)).failureReason).toBe(
      DEFAULT_ASSETS_BUILD_FAILURE,
    );
    expect(emulator.faults.list().map((f) => f.remaining)).toEqual([0, 0]);
    emulator.faults.clear();
  });

  it('are checked: only message and times', () => {
    expect(() => emulator.faults.inject({ assetsBuild: true, status: 500 })).toThrow(
      /assetsBuild fault takes only message and times, not status/,
    );
    expect(() => emulator.faults.inject({ assetsBuild: true, delayMs: 5 })).toThrow(/not delayMs/);
    expect(() => emulator.faults.inject({ assetsBuild: true, oss: true } as never)).toThrow(/exactly one of/);
    expect(() => emulator.faults.inject({ assetsBuild: true, times: 0 })).toThrow(/positive integer/);
    expect(emulator.faults.list()).toEqual([]);
  });
});

describe('assetsReadyDelayMs', () => {
  it('keeps a built version init until the delay has passed on the emulator clock', async () => {
    let clock = Date.now();
    const slow = await startEmulator({ assetsReadyDelayMs: 5000, now: () => clock, routines: ['slow'] });
    try {
      const slowClient = sdkClient(slow, slow.credentials);
      const { codeVersion, config } = await createVersion('slow', {}, slowClient);
      expect((await uploadZip(config, Buffer.from('broken'))).status).toBe(204);
      expect((await versionInfo('slow', codeVersion, slow)).Status).toBe('init');
      clock += 1000;
      // Retried while its build is under way: the new zip is built in its place, taking the delay again.
      expect((await uploadZip(config, await makeZip(SITE))).status).toBe(204);
      expect((await versionInfo('slow', codeVersion, slow)).Status).toBe('init');
      clock += 4999;
      expect(await versionInfo('slow', codeVersion, slow)).toMatchObject({
        Status: 'init',
        HasAssets: false,
      });
      // Its files join the version only when the build is over.
      expect(await adminJson(`routines/slow/versions/${codeVersion}/assets`, slow)).toEqual([]);
      const unbuilt = await slowClient.getRoutineCodeVersion(
        new esa.GetRoutineCodeVersionRequest({ name: 'slow', codeVersion }),
      );
      expect(unbuilt.body?.routineCode).toBe('');
      const listed = await slowClient.listRoutineCodeVersions(
        new esa.ListRoutineCodeVersionsRequest({ name: 'slow' }),
      );
      expect(listed.body?.codeVersions?.[0]?.status).toBe('Init');
      const early = await sdkError(
        slowClient.createRoutineCodeDeployment(
          new esa.CreateRoutineCodeDeploymentRequest({
            name: 'slow',
            env: 'staging',
            strategy: 'percentage',
            codeVersions: [
              new esa.CreateRoutineCodeDeploymentRequestCodeVersions({ codeVersion, percentage: 100 }),
            ],
          }),
        ),
      );
      expect(early.message).toContain('its status is init');
      clock += 1;
      expect(await versionInfo('slow', codeVersion, slow)).toMatchObject({
        Status: 'available',
        HasAssets: true,
      });
      expect(await adminJson<unknown[]>(`routines/slow/versions/${codeVersion}/assets`, slow)).toHaveLength(
        3,
      );
      const built = await slowClient.getRoutineCodeVersion(
        new esa.GetRoutineCodeVersionRequest({ name: 'slow', codeVersion }),
      );
      expect(built.body?.routineCode).toBe(ROUTINE_CODE);
      const relisted = await slowClient.listRoutineCodeVersions(
        new esa.ListRoutineCodeVersionsRequest({ name: 'slow' }),
      );
      expect(relisted.body?.codeVersions?.[0]?.status).toBe('Available');
    } finally {
      await slow.close();
    }
  });

  it('on the real clock: esa-cli polling sees init, then available', async () => {
    const slow = await startEmulator({ assetsReadyDelayMs: 200, routines: ['polled'] });
    try {
      const { codeVersion, config } = await createVersion('polled', {}, sdkClient(slow, slow.credentials));
      await uploadZip(config, await makeZip(SITE));
      const seen: string[] = [];
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const status = String((await versionInfo('polled', codeVersion, slow)).Status);
        seen.push(status);
        if (status.toLowerCase() !== 'init') break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(seen[0]).toBe('init');
      expect(seen.at(-1)).toBe('available');
    } finally {
      await slow.close();
    }
  });

  it('is checked', async () => {
    await expect(startEmulator({ assetsReadyDelayMs: -1 })).rejects.toThrow(
      /assetsReadyDelayMs must be zero or more, got -1/,
    );
  });
});

describe('CreateRoutineWithAssetsCodeVersion parameters', () => {
  const name = 'params-routine';

  it("takes esa-cli's JSON body with a nested ConfOptions, matching the strategy without regard to case", async () => {
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const answer = await cliCallJson(emulator, emulator.credentials, 'CreateRoutineWithAssetsCodeVersion', {
      Name: name,
      CodeDescription: 'from esa-cli',
      ExtraInfo: JSON.stringify({ Source: 'CLI' }),
      ConfOptions: { NotFoundStrategy: '404page' },
    });
    expect(answer).toEqual({
      RequestId: expect.any(String),
      CodeVersion: expect.stringMatching(/^\d{19}$/),
      Status: 'init',
      OssPostConfig: {
        Url: emulator.ossEndpoint,
        Key: `site_er_assets/${name}/${String(answer.CodeVersion)}.zip`,
        Policy: expect.any(String),
        OSSAccessKeyId: emulator.bucket.accessKeyId,
        Signature: expect.any(String),
        XOssSecurityToken: '',
      },
    });
    const info = await versionInfo(name, String(answer.CodeVersion));
    expect(info).toMatchObject({
      CodeDescription: 'from esa-cli',
      ExtraInfo: '{"Source":"CLI"}',
      BuildId: 0,
      ConfOptions: { NotFoundStrategy: '404Page' },
    });
    const none = await cliCallJson(emulator, emulator.credentials, 'CreateRoutineWithAssetsCodeVersion', {
      Name: name,
    });
    expect(await versionInfo(name, String(none.CodeVersion))).toMatchObject({
      CodeDescription: '',
      ExtraInfo: '',
      ConfOptions: { NotFoundStrategy: '' },
    });
  });

  it('refuses a bad ConfOptions or BuildId with InvalidParameter and creates nothing', async () => {
    const before = emulator.state.routines.get(name)?.versions.size;
    const cases: Array<[Record<string, string>, string]> = [
      [{ ConfOptions: '{oops' }, 'ConfOptions must be a JSON object {"NotFoundStrategy": …}, got "{oops"'],
      [{ ConfOptions: '["404Page"]' }, 'ConfOptions must be a JSON object'],
      [
        { ConfOptions: '{"NotFoundStrategy":"redirect"}' },
        'ConfOptions.NotFoundStrategy must be SinglePageApplication or 404Page, got "redirect"',
      ],
      [{ ConfOptions: '{"NotFoundStrategy":404}' }, 'must be SinglePageApplication or 404Page, got 404'],
      [
        { ConfOptions: '{"notFoundStrategy":"404Page"}' },
        'ConfOptions has an unknown member "notFoundStrategy"',
      ],
      [{ BuildId: 'abc' }, 'BuildId must be a whole number, got "abc"'],
      [{ BuildId: '-1' }, 'BuildId must be a whole number, got "-1"'],
    ];
    for (const [params, message] of cases) {
      const res = await callRaw(emulator, {
        action: 'CreateRoutineWithAssetsCodeVersion',
        credential: emulator.credentials,
        form: { Name: name, ...params },
      });
      expect([res.status, res.json().Code], message).toEqual([400, 'InvalidParameter']);
      expect(String(res.json().Message)).toContain(message);
    }
    const missing = await sdkError(
      client.createRoutineWithAssetsCodeVersion(new esa.CreateRoutineWithAssetsCodeVersionRequest({})),
    );
    expect(missing.code).toBe('MissingParameter');
    const ghost = await sdkError(
      client.createRoutineWithAssetsCodeVersion(
        new esa.CreateRoutineWithAssetsCodeVersionRequest({ name: 'ghost' }),
      ),
    );
    expect(ghost.code).toBe('RoutineNotExist');
    expect(emulator.state.routines.get(name)?.versions.size).toBe(before);
  });

  it('counts toward the version quota like the legacy commit, whatever the status', async () => {
    const small = await startEmulator({ versionQuota: 2, routines: ['quota'] });
    try {
      const smallClient = sdkClient(small, small.credentials);
      const first = await createVersion('quota', {}, smallClient);
      await createVersion('quota', {}, smallClient);
      const refused = await sdkError(
        smallClient.createRoutineWithAssetsCodeVersion(
          new esa.CreateRoutineWithAssetsCodeVersionRequest({ name: 'quota' }),
        ),
      );
      expect([refused.statusCode, refused.code]).toEqual([400, 'CodeVersionNumberExceedQuotaLimit']);
      expect(refused.message).toContain('(2 of 2 for routine quota)');
      const legacy = await sdkError(
        smallClient.getRoutineStagingCodeUploadInfo(
          new esa.GetRoutineStagingCodeUploadInfoRequest({ name: 'quota' }),
        ),
      );
      expect(legacy.code).toBe('CodeVersionNumberExceedQuotaLimit');
      // An init version, never uploaded, is deleted like any other.
      await smallClient.deleteRoutineCodeVersion(
        new esa.DeleteRoutineCodeVersionRequest({ name: 'quota', codeVersion: first.codeVersion }),
      );
      expect((await createVersion('quota', {}, smallClient)).status).toBe('init');
    } finally {
      await small.close();
    }
  });
});

describe('GetRoutineCodeVersionInfo', () => {
  const name = 'info-routine';

  it('answers a committed staging version as available without assets, by GET or POST', async () => {
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const upload = await client.getRoutineStagingCodeUploadInfo(
      new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: 'legacy' }),
    );
    await stageCode(emulator, (upload.body?.ossPostConfig ?? {}) as Record<string, string>, ROUTINE_CODE);
    const commit = await client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name }));
    const codeVersion = commit.body?.codeVersion ?? '';
    const expected = {
      CodeVersion: codeVersion,
      Status: 'available',
      CodeDescription: 'legacy',
      CreateTime: expect.stringMatching(/Z$/),
      HasAssets: false,
      ExtraInfo: '',
      BuildId: 0,
      ConfOptions: { NotFoundStrategy: '' },
    };
    expect(await versionInfo(name, codeVersion)).toEqual({ RequestId: expect.any(String), ...expected });
    const posted = await callRaw(emulator, {
      action: 'GetRoutineCodeVersionInfo',
      credential: emulator.credentials,
      form: { Name: name, CodeVersion: codeVersion },
    });
    expect(posted.status).toBe(200);
    expect(posted.json()).toEqual({ RequestId: expect.any(String), ...expected });
    expect(await adminJson(`routines/${name}/versions/${codeVersion}`)).toMatchObject({
      status: 'available',
      hasRoutine: true,
      hasAssets: false,
      failureReason: null,
      notFoundStrategy: null,
      extraInfo: '',
    });
    const list = await client.listRoutineCodeVersions(new esa.ListRoutineCodeVersionsRequest({ name }));
    expect(list.body?.codeVersions?.[0]?.status).toBe('Available');
  });

  it('answers an unknown version as every version action does, and needs both parameters', async () => {
    const unknown = await sdkError(versionInfo(name, '1234567890123456789'));
    expect(unknown.code).toBe('InvalidParameter');
    expect(unknown.message).toContain(`Code version 1234567890123456789 does not exist in routine ${name}.`);
    const noVersion = await sdkError(
      cliCall(emulator, emulator.credentials, 'GetRoutineCodeVersionInfo', { Name: name }),
    );
    expect(noVersion.code).toBe('MissingParameter');
    const noRoutine = await sdkError(versionInfo('ghost', '1234567890123456789'));
    expect(noRoutine.code).toBe('RoutineNotExist');
  });
});

import type { HostileCase } from '../harness.js';

// Answers a proxy or a broken gateway could give: HTML, cut bodies, errors dressed as success,
// unusable upload info, secrets echoed back. Each ends in a named code, or a recovered success.

const upload = (config: Record<string, string>) =>
  JSON.stringify({ RequestId: 'CRAFTED', CodeVersion: '1234567890123456789', OssPostConfig: config });
const fields = { key: 'k', policy: 'p', OSSAccessKeyId: 'a', Signature: 's' };

export const answerCases: HostileCase[] = [
  ...(
    [
      'GetRoutine',
      'GetRoutineStagingCodeUploadInfo',
      'CommitRoutineStagingCode',
      'CreateRoutineCodeDeployment',
    ] as const
  ).flatMap((action): HostileCase[] => [
    {
      name: `${action}: the answer also has a float with 16 fraction digits and a long exponent`,
      expect: { ok: true },
      run: (ctx) => {
        ctx.proxy.on(action, {
          kind: 'rewrite',
          edit: (body) => body.replace(/^\{/, '{"Ratio":0.3333333333333333,"Tiny":-1.5e-1234567890123456,'),
        });
        return ctx.publish();
      },
    },
    {
      name: `${action}: a 502 HTML page, always`,
      expect: { code: 'HTTP502', message: /non-JSON answer: <html>/ },
      run: (ctx) => {
        ctx.proxy.on(action, {
          kind: 'craft',
          status: 502,
          body: '<html>Bad Gateway</html>',
          contentType: 'text/html',
        });
        return ctx.publish({ timeout: 1000, retries: 1 });
      },
    },
    {
      name: `${action}: a 200 HTML page after processing`,
      expect:
        action === 'CommitRoutineStagingCode'
          ? { ok: true }
          : action === 'CreateRoutineCodeDeployment'
            ? { code: 'InvalidResponse', mayChange: true, message: /uncertain/ }
            : { code: 'InvalidResponse' },
      run: (ctx) => {
        ctx.proxy.on(
          action,
          { kind: 'craft', status: 200, body: '<html>ok</html>', contentType: 'text/html', processed: true },
          1,
        );
        return ctx.publish({ timeout: 1000, retries: 1 });
      },
    },
    {
      name: `${action}: the answer cut in half after processing, once`,
      expect: { ok: true },
      run: (ctx) => {
        ctx.proxy.on(action, { kind: 'truncate' }, 1);
        return ctx.publish({ timeout: 1000, retries: 2 });
      },
    },
    {
      name: `${action}: a 200 whose body is an error`,
      expect: { code: 'Forbidden.RAM' },
      run: (ctx) => {
        ctx.proxy.on(action, {
          kind: 'craft',
          status: 200,
          body: JSON.stringify({ RequestId: 'R', Code: 'Forbidden.RAM', Message: 'denied' }),
        });
        return ctx.publish();
      },
    },
  ]),
  {
    name: 'throttling with Retry-After: 1 waits the second it asks for, then succeeds',
    expect: { ok: true },
    run: async (ctx) => {
      ctx.proxy.on(
        'GetRoutine',
        {
          kind: 'craft',
          status: 400,
          headers: { 'retry-after': '1' },
          body: JSON.stringify({ RequestId: 'R', Code: 'Throttling.User', Message: 'slow down' }),
        },
        1,
      );
      const started = Date.now();
      const outcome = await ctx.publish();
      const waited = Date.now() - started;
      if (waited < 950) throw new Error(`retried after ${waited} ms, not after the second asked for`);
      return outcome;
    },
  },
  {
    name: 'OSS SlowDown with Retry-After: 1 waits the second it asks for, then the upload succeeds',
    expect: { ok: true },
    run: async (ctx) => {
      ctx.emulator.faults.inject({
        oss: true,
        status: 503,
        code: 'SlowDown',
        retryAfterSeconds: 1,
        times: 1,
      });
      const started = Date.now();
      const outcome = await ctx.publish();
      const waited = Date.now() - started;
      if (waited < 950) throw new Error(`retried after ${waited} ms, not after the second asked for`);
      return outcome;
    },
  },
  {
    name: 'upload info pointing at an ftp URL',
    expect: { code: 'InvalidUploadInfo', message: /must be https .*ftp: URL/ },
    run: (ctx) => {
      ctx.proxy.on('GetRoutineStagingCodeUploadInfo', {
        kind: 'craft',
        status: 200,
        body: upload({ Url: 'ftp://oss.example.com/', ...fields }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'upload info pointing at plain http on a public host',
    expect: { code: 'InvalidUploadInfo', message: /http: URL to oss\.example\.com/ },
    run: (ctx) => {
      ctx.proxy.on('GetRoutineStagingCodeUploadInfo', {
        kind: 'craft',
        status: 200,
        body: upload({ Url: 'http://oss.example.com/', ...fields }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'upload info without OssPostConfig',
    expect: { code: 'InvalidUploadInfo', message: /OssPostConfig is missing/ },
    run: (ctx) => {
      ctx.proxy.on('GetRoutineStagingCodeUploadInfo', {
        kind: 'craft',
        status: 200,
        body: JSON.stringify({ RequestId: 'R' }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'a commit answer without CodeVersion, after processing',
    expect: { ok: true },
    run: (ctx) => {
      ctx.proxy.on(
        'CommitRoutineStagingCode',
        { kind: 'craft', status: 200, body: JSON.stringify({ RequestId: 'R' }), processed: true },
        1,
      );
      return ctx.publish();
    },
  },
  {
    name: 'an error echoing the AccessKey secret in Recommend and Message',
    expect: { code: 'Forbidden.RAM' },
    run: (ctx) => {
      const secret = ctx.emulator.credentials.accessKeySecret;
      ctx.proxy.on('GetRoutine', {
        kind: 'craft',
        status: 403,
        body: JSON.stringify({
          RequestId: 'R',
          Code: 'Forbidden.RAM',
          Message: `denied for ${secret}`,
          Recommend: `https://example.com/?k=${secret}`,
        }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'a non-JSON 500 with the secret across the 200-character cut',
    expect: { code: 'HTTP500' },
    run: (ctx) => {
      const secret = ctx.emulator.credentials.accessKeySecret;
      ctx.proxy.on('GetRoutine', {
        kind: 'craft',
        status: 500,
        body: `${'x'.repeat(190)}${secret}`,
        contentType: 'text/plain',
      });
      return ctx.publish({ retries: 0 });
    },
  },
  {
    name: 'GetRoutine with Envs of an unknown shape',
    expect: { ok: true },
    run: (ctx) => {
      ctx.proxy.on('GetRoutine', {
        kind: 'craft',
        status: 200,
        body: JSON.stringify({ RequestId: 'R', Envs: 'staging', DefaultRelatedRecord: 7 }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'no staging IPs (GetRoutineStagingEnvIp failing) still publishes',
    expect: { ok: true },
    run: (ctx) => {
      ctx.proxy.on('GetRoutineStagingEnvIp', {
        kind: 'craft',
        status: 403,
        body: JSON.stringify({ RequestId: 'R', Code: 'NoPermission', Message: 'no' }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'ESA without CreateRoutineCodeDeployment falls back to PublishRoutineCodeVersion',
    expect: { ok: true },
    run: (ctx) => {
      ctx.proxy.on('CreateRoutineCodeDeployment', {
        kind: 'craft',
        status: 404,
        body: JSON.stringify({
          RequestId: 'R',
          Code: 'InvalidApi.NotFound',
          Message: 'Specified api is not found',
        }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'a full quota without pruneVersions names the way out',
    expect: { code: 'CodeVersionNumberExceedQuotaLimit', message: /maximum number of code versions/ },
    run: (ctx) => {
      ctx.proxy.on('GetRoutineStagingCodeUploadInfo', {
        kind: 'craft',
        status: 400,
        body: JSON.stringify({
          RequestId: 'R',
          Code: 'CodeVersionNumberExceedQuotaLimit',
          Message: 'The maximum number of code versions in your plan has been reached.',
        }),
      });
      return ctx.publish();
    },
  },
  {
    name: 'an abort while the commit is in flight says what may have happened',
    expect: { code: 'Aborted' },
    run: async (ctx) => {
      const controller = new AbortController();
      ctx.proxy.on('CommitRoutineStagingCode', { kind: 'stall' });
      const outcome = ctx.publish({ signal: controller.signal });
      setTimeout(() => controller.abort(), 400);
      return outcome;
    },
  },
];

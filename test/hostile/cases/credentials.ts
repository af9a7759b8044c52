import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishRoutine } from '@esa-stage/core';
import { type HostileCase, outcomeOf, routineChunk } from '../harness.js';

// A stray character in a credential once hung every publish (HTTP refused the header, the refusal
// was retried forever). Each is refused up front, naming the value and the position, never the value.

const CHARACTERS: readonly [string, string][] = [
  ['a zero-width space', '\u200b'],
  ['a byte order mark', '\ufeff'],
  ['a carriage return', '\r'],
  ['a line feed', '\n'],
  ['a tab', '\t'],
  ['an inner space', ' '],
  ['a no-break space', '\u00a0'],
  ['an accented letter', 'é'],
  ['a CJK character', '中'],
  ['a NUL', '\u0000'],
];

const FIELDS = [
  ['AccessKey ID', 'accessKeyId'],
  ['AccessKey secret', 'accessKeySecret'],
  ['security token', 'securityToken'],
] as const;

const spoil = (value: string | undefined = '', character: string) =>
  `${value.slice(0, 4)}${character}${value.slice(4)}`;

export const credentialCases: HostileCase[] = [
  ...FIELDS.flatMap(
    ([label, field]) =>
      CHARACTERS.map(([what, character]) => ({
        name: `${what} in the ${label} (options)`,
        expect: { code: 'CredentialsInvalid', message: new RegExp(`the ${label} has .* at character 5 of`) },
        run: (ctx) => {
          const sts = ctx.emulator.credentials.sts;
          const credentials = {
            accessKeyId: sts.accessKeyId,
            accessKeySecret: sts.accessKeySecret,
            securityToken: sts.securityToken,
          };
          return ctx.publish({
            credentials: { ...credentials, [field]: spoil(credentials[field], character) },
          });
        },
      })) satisfies HostileCase[],
  ),
  {
    name: 'a zero-width space in env ALIBABA_CLOUD_ACCESS_KEY_ID',
    expect: {
      code: 'CredentialsInvalid',
      message:
        /credentials \(env ALIBABA_CLOUD_ACCESS_KEY_ID\): the AccessKey ID has an invisible zero-width character \(U\+200B\)/,
    },
    run: (ctx) => {
      return ctx.publish(
        { credentials: undefined },
        undefined,
        ctx.env({ ALIBABA_CLOUD_ACCESS_KEY_ID: spoil(ctx.emulator.credentials.accessKeyId, '\u200b') }),
      );
    },
  },
  {
    name: 'a line feed inside env ESA_ACCESS_KEY_SECRET (esa-cli names)',
    expect: {
      code: 'CredentialsInvalid',
      message: /env ESA_ACCESS_KEY_ID\): the AccessKey secret has a line feed/,
    },
    run: (ctx) => {
      return ctx.publish({ credentials: undefined }, undefined, {
        ESA_ACCESS_KEY_ID: ctx.emulator.credentials.accessKeyId,
        ESA_ACCESS_KEY_SECRET: spoil(ctx.emulator.credentials.accessKeySecret, '\n'),
      });
    },
  },
  {
    name: 'a carriage return inside an env security token',
    expect: { code: 'CredentialsInvalid', message: /the security token has a carriage return/ },
    run: (ctx) => {
      const sts = ctx.emulator.credentials.sts;
      return ctx.publish({ credentials: undefined }, undefined, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: spoil(sts.securityToken, '\r'),
      });
    },
  },
  {
    name: 'a zero-width space in a ~/.aliyun/config.json profile',
    expect: {
      code: 'CredentialsInvalid',
      message: /config\.json profile "default"\): the AccessKey ID has an invisible/,
    },
    run: async (ctx) => {
      const home = await mkdtemp(join(tmpdir(), 'esa-stage-hostile-home-'));
      await mkdir(join(home, '.aliyun'));
      const { accessKeyId, accessKeySecret } = ctx.emulator.credentials;
      await writeFile(
        join(home, '.aliyun', 'config.json'),
        JSON.stringify({
          current: 'default',
          profiles: [
            {
              name: 'default',
              mode: 'AK',
              access_key_id: spoil(accessKeyId, '\u200b'),
              access_key_secret: accessKeySecret,
            },
          ],
        }),
      );
      const { credentials: _none, ...options } = ctx.options();
      return outcomeOf(() => publishRoutine(options, routineChunk(), { env: {}, homeDir: home }));
    },
  },
  {
    name: 'a config.json that is a directory',
    expect: { code: 'CredentialsInvalid', message: /config\.json: cannot be read \(EISDIR\)/ },
    run: async (ctx) => {
      const home = await mkdtemp(join(tmpdir(), 'esa-stage-hostile-home-'));
      await mkdir(join(home, '.aliyun', 'config.json'), { recursive: true });
      const { credentials: _none, ...options } = ctx.options();
      return outcomeOf(() => publishRoutine(options, routineChunk(), { env: {}, homeDir: home }));
    },
  },
];

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OSS callback bodies use the ${var} syntax in plain strings.
import { describe, expect, it } from 'vitest';
import { interpretCallbackAnswer } from '../src/oss/callback.js';
import {
  customVariables,
  ImageInfoUnavailableError,
  substituteCallbackBody,
} from '../src/oss/callback-body.js';
import { parseCallbackConfig } from '../src/oss/callback-config.js';
import { OssError } from '../src/oss/errors.js';
import { base64Json } from './oss-helpers.js';

const VARS = {
  bucket: 'my-bucket',
  object: 'dir/a b&c.js',
  etag: 'ABC123',
  size: 42,
  mimeType: 'application/javascript',
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseCallbackConfig', () => {
  it('decodes a full configuration', () => {
    const config = parseCallbackConfig(
      base64Json({
        callbackUrl: 'http://127.0.0.1:9/a;127.0.0.1:10/b?x=1',
        callbackHost: 'cb.example.com',
        callbackBody: 'bucket=${bucket}',
        callbackBodyType: 'application/json',
      }),
    );
    expect(config.urls.map(String)).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:10/b?x=1']);
    expect(config.host).toBe('cb.example.com');
    expect(config.body).toBe('bucket=${bucket}');
    expect(config.bodyType).toBe('application/json');
  });

  it('defaults the body type to form encoding', () => {
    const config = parseCallbackConfig(base64Json({ callbackUrl: 'http://127.0.0.1/', callbackBody: 'a=b' }));
    expect(config.bodyType).toBe('application/x-www-form-urlencoded');
    expect(config.host).toBeUndefined();
  });

  it.each([
    ['not base64', '%%%'],
    ['base64 of non-JSON', Buffer.from('callbackUrl=x').toString('base64')],
    ['a JSON array', base64Json(['x'])],
    ['over 5 KB', base64Json({ callbackUrl: 'http://127.0.0.1/', callbackBody: 'a'.repeat(5000) })],
    ['no callbackUrl', base64Json({ callbackBody: 'a' })],
    ['an empty callbackBody', base64Json({ callbackUrl: 'http://127.0.0.1/', callbackBody: '' })],
    [
      'six URLs',
      base64Json({ callbackUrl: Array(6).fill('http://127.0.0.1/').join(';'), callbackBody: 'a' }),
    ],
    ['an ftp URL', base64Json({ callbackUrl: 'ftp://127.0.0.1/', callbackBody: 'a' })],
    [
      'an unknown body type',
      base64Json({ callbackUrl: 'http://127.0.0.1/', callbackBody: 'a', callbackBodyType: 'text/plain' }),
    ],
  ])('refuses %s with InvalidArgument', (_label, value) => {
    const error = thrown(() => parseCallbackConfig(value));
    expect(error).toBeInstanceOf(OssError);
    expect(error).toMatchObject({
      code: 'InvalidArgument',
      status: 400,
      details: { ArgumentName: 'callback' },
    });
  });

  it('says "not json format" for undecodable configurations', () => {
    expect(thrown(() => parseCallbackConfig('%%%'))).toMatchObject({
      message: 'The callback configuration is not json format.',
    });
  });
});

describe('substituteCallbackBody', () => {
  const custom = customVariables(
    new Map([
      ['x:routine', 'my routine'],
      ['key', 'k'],
      ['x:n', '"q"'],
    ]),
  );

  it('percent-encodes values for the form type', () => {
    expect(
      substituteCallbackBody(
        'bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}&r=${x:routine}&m=${x:missing}',
        'application/x-www-form-urlencoded',
        VARS,
        custom,
      ),
    ).toBe(
      'bucket=my-bucket&object=dir%2Fa%20b%26c.js&etag=ABC123&size=42&mimeType=application%2Fjavascript&r=my%20routine&m=',
    );
  });

  it('writes JSON literals for the JSON type, size as a number', () => {
    const body = substituteCallbackBody(
      '{"object":${object},"size":${size},"etag":${etag},"r":${x:routine},"n":${x:n}}',
      'application/json',
      VARS,
      custom,
    );
    expect(JSON.parse(body)).toEqual({
      object: 'dir/a b&c.js',
      size: 42,
      etag: 'ABC123',
      r: 'my routine',
      n: '"q"',
    });
  });

  it('passes $(filename) and lone dollars through', () => {
    expect(
      substituteCallbackBody(
        'f=$(filename)&p=$5&o=${object}',
        'application/x-www-form-urlencoded',
        VARS,
        custom,
      ),
    ).toBe('f=$(filename)&p=$5&o=dir%2Fa%20b%26c.js');
  });

  it('matches custom variable names case-insensitively', () => {
    expect(substituteCallbackBody('${X:Routine}', 'application/x-www-form-urlencoded', VARS, custom)).toBe(
      'my%20routine',
    );
  });

  it.each(['${foo}', '${bucket', 'a=${}', '${Bucket}'])('refuses %s with InvalidArgument', (template) => {
    expect(thrown(() => substituteCallbackBody(template, 'application/json', VARS, custom))).toMatchObject({
      code: 'InvalidArgument',
      status: 400,
    });
  });

  it('fails image info for an object that is not an image', () => {
    expect(
      thrown(() => substituteCallbackBody('${imageInfo.width}', 'application/json', VARS, custom)),
    ).toBeInstanceOf(ImageInfoUnavailableError);
  });
});

describe('interpretCallbackAnswer', () => {
  const json = Buffer.from('{"ok":true}');
  it.each([
    [200, '11', json, true, ''],
    [204, '11', json, true, ''],
    [500, '11', json, false, 'Error status : 500.'],
    [302, '11', json, false, 'Error status : 302.'],
    [200, undefined, json, false, 'User server missing content-length.'],
    [200, '2', Buffer.from('ok'), false, 'Response body is not valid json format.'],
    [200, '0', Buffer.alloc(0), false, 'Response body is not valid json format.'],
    [
      200,
      '1048577',
      Buffer.alloc(1024 * 1024 + 1, 32),
      false,
      'Response body of your callback server is larger than 1 MB.',
    ],
  ])('status %i, content-length %s', (status, length, body, ok, message) => {
    const outcome = interpretCallbackAnswer(status, length, body);
    expect(outcome.ok).toBe(ok);
    if (!outcome.ok) expect(outcome.message).toBe(message);
  });
});

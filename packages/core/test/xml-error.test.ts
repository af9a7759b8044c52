import { describe, expect, it } from 'vitest';
import { parseOssXmlError } from '../src/oss/xml-error.js';

describe('parseOssXmlError', () => {
  it('reads the four fields and decodes entities', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;, &quot;$key&quot;, &quot;a&amp;b&quot;] &#20013;</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0002-00000902</EC>
</Error>`;
    expect(parseOssXmlError(xml)).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "a&b"] 中',
      requestId: '5C3D9175B6FC201293AD****',
      hostId: 'bucket.oss-cn-hangzhou.aliyuncs.com',
    });
  });

  it('leaves absent fields undefined', () => {
    expect(parseOssXmlError('not xml')).toEqual({
      code: undefined,
      message: undefined,
      requestId: undefined,
      hostId: undefined,
    });
  });
});

// The baseline publisher: what esa-cli does, with Alibaba's own packages and none of esa-stage.
// Reads the file whole (as esa-cli does), asks for upload info with the official SDK, uploads with
// `form-data`, commits and publishes to staging. Usage: node esa-cli-style.mjs <file> <name> <endpoint>
import { readFileSync } from 'node:fs';
import Esa, {
  CommitRoutineStagingCodeRequest,
  GetRoutineStagingCodeUploadInfoRequest,
  PublishRoutineCodeVersionRequest,
} from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import FormData from 'form-data';

const [file, name, endpoint] = process.argv.slice(2);
const url = new URL(endpoint);
const client = new Esa.default(
  new $OpenApiUtil.Config({
    accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    endpoint: url.host,
    protocol: url.protocol.replace(':', ''),
  }),
);
const code = readFileSync(file, 'utf8');
const description = 'esa-cli style';
const info = await client.getRoutineStagingCodeUploadInfo(
  new GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: description }),
);
const config = info.body.ossPostConfig;
const form = new FormData();
for (const field of ['OSSAccessKeyId', 'Signature', 'callback', 'x:codeDescription', 'policy', 'key']) {
  form.append(field, config[field] ?? '');
}
form.append('file', code);
const status = await new Promise((resolve, reject) => {
  form.submit(config.Url, (error, res) => {
    if (error) return reject(error);
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
});
if (status !== 200) throw new Error(`upload answered ${status}`);
const commit = await client.commitRoutineStagingCode(
  new CommitRoutineStagingCodeRequest({ name, codeDescription: description }),
);
await client.publishRoutineCodeVersion(
  new PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion: commit.body.codeVersion }),
);

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { OssError } from './errors.js';
import { type FilePartInfo, parseMultipart } from './multipart.js';

/** Total bytes of all field values before `file` (OSS: 2 MB). */
export const MAX_FIELD_VALUE_BYTES = 2 * 1024 * 1024;
/** Total bytes of all field names before `file` (OSS: 8 KB). */
export const MAX_FIELD_NAME_BYTES = 8 * 1024;

/** The form fields that came before `file`: lower-case name → value (the first of duplicates). */
export type FormFields = ReadonlyMap<string, string>;

/** The uploaded file, hashed while it streamed in. */
export interface ReceivedFile {
  /** The exact bytes; empty when the file went over the size limit and was discarded. */
  readonly bytes: Buffer;
  /** Every byte counted, also those past the limit. */
  readonly size: number;
  readonly overLimit: boolean;
  /** Lower-case hex sha256 and upper-case hex MD5 (the ETag); empty when over the limit. */
  readonly sha256: string;
  readonly md5: string;
  readonly filename: string | undefined;
  readonly mimeType: string;
}

export interface ReceivedForm {
  readonly fields: FormFields;
  /** The field names before `file`, as sent. */
  readonly fieldNames: readonly string[];
  /** Undefined when no file part came, or when `beforeFile` refused the upload. */
  readonly file: ReceivedFile | undefined;
  readonly fileSeen: boolean;
  /** The first refusal: a field limit or what `beforeFile` threw. */
  readonly error: OssError | undefined;
}

/**
 * Called once, when the `file` part starts, with every field that came before it. Returns the
 * largest file size to keep; throws an {@link OssError} to refuse the upload (the file is drained).
 */
export type BeforeFile = (fields: FormFields) => number;

function fieldsTooLong(): OssError {
  return new OssError(
    'FieldItemTooLong',
    400,
    'Your POST request fields preceding the upload file are too large.',
  );
}

function consumeFile(stream: Readable, limit: number, filename: string | undefined, mimeType: string) {
  return new Promise<ReceivedFile>((resolve) => {
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks = [];
        return;
      }
      chunks.push(chunk);
      sha256.update(chunk);
      md5.update(chunk);
    });
    // 'error' is followed by a parse error, which the caller reports; 'close' ends both paths.
    stream.on('close', () => {
      const overLimit = size > limit;
      resolve({
        bytes: overLimit ? Buffer.alloc(0) : Buffer.concat(chunks, size),
        size,
        overLimit,
        sha256: overLimit ? '' : sha256.digest('hex'),
        md5: overLimit ? '' : md5.digest('hex').toUpperCase(),
        filename,
        mimeType,
      });
    });
  });
}

/**
 * Reads a PostObject form as a stream: collects the fields before `file` (enforcing the field
 * limits), asks `beforeFile` whether to take the file, hashes it while it streams in, and ignores
 * every part after it. Rejects with the errors of {@link parseMultipart}.
 */
export async function receivePostForm(
  req: IncomingMessage,
  contentType: string,
  beforeFile: BeforeFile,
): Promise<ReceivedForm> {
  const fields = new Map<string, string>();
  const fieldNames: string[] = [];
  let valueBytes = 0;
  let nameBytes = 0;
  let error: OssError | undefined;
  let fileSeen = false;

  const addField = (name: string, value: string, truncated: boolean) => {
    if (error) return;
    valueBytes += Buffer.byteLength(value);
    nameBytes += Buffer.byteLength(name);
    if (truncated || valueBytes > MAX_FIELD_VALUE_BYTES || nameBytes > MAX_FIELD_NAME_BYTES) {
      error = fieldsTooLong();
      return;
    }
    fieldNames.push(name);
    const lower = name.toLowerCase();
    if (!fields.has(lower)) fields.set(lower, value);
  };
  // Parts with a filename but another name are fields; they may still be streaming when `file` starts.
  const textFields: Promise<void>[] = [];

  const takeFile = async (stream: Readable, info: FilePartInfo): Promise<ReceivedFile | undefined> => {
    await Promise.all(textFields);
    let limit: number | undefined;
    try {
      if (!error) limit = beforeFile(fields);
    } catch (refusal) {
      if (!(refusal instanceof OssError)) {
        stream.resume();
        throw refusal;
      }
      error = refusal;
    }
    if (limit === undefined) {
      stream.resume();
      return undefined;
    }
    return consumeFile(stream, limit, info.filename, info.mimeType);
  };

  let pendingFile: Promise<ReceivedFile | undefined> | undefined;
  const parsed = parseMultipart(
    req,
    contentType,
    {
      field(name, value, truncated) {
        if (!fileSeen) addField(name, value, truncated);
      },
      file(name, stream, info) {
        if (fileSeen) {
          stream.resume();
        } else if (name.toLowerCase() !== 'file') {
          textFields.push(collectText(stream).then((text) => addField(name, text.value, text.truncated)));
        } else {
          fileSeen = true;
          pendingFile = takeFile(stream, info);
          // Reported below, after the parse; never an unhandled rejection meanwhile.
          pendingFile.catch(() => {});
        }
      },
    },
    { fieldSize: MAX_FIELD_VALUE_BYTES + 1 },
  );
  await parsed;
  const file = pendingFile ? await pendingFile : undefined;
  return { fields, fieldNames, file, fileSeen, error };
}

/** Reads a small file-shaped field part as text, keeping at most the field value limit. */
function collectText(stream: Readable): Promise<{ value: string; truncated: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FIELD_VALUE_BYTES) chunks.push(chunk);
    });
    stream.on('end', () =>
      resolve({ value: Buffer.concat(chunks).toString('utf8'), truncated: size > MAX_FIELD_VALUE_BYTES }),
    );
    // A part cut short fails the whole parse, which is what gets reported.
    stream.on('error', () => resolve({ value: '', truncated: false }));
  });
}

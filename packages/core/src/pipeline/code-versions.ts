import { EsaStageError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';

/** One version as `ListRoutineCodeVersions` lists it. */
export interface ListedVersion {
  readonly codeVersion: string;
  readonly description: string;
  /** `CreateTime` in ms since the epoch (NaN when ESA sent none). */
  readonly created: number;
  readonly createTime: string;
}

/** ESA lists at most 2 pages of 20 (`PageNumber` 1-2, `PageSize` 1-20). */
const PAGE_SIZE = 20;
const MAX_PAGES = 2;

/** The legacy staging slot some listings show as a version; never a real one. */
const PSEUDO_VERSIONS = new Set(['unstable']);

function readPage(body: Readonly<Record<string, unknown>>): ListedVersion[] {
  const items = Array.isArray(body.CodeVersions) ? body.CodeVersions : [];
  return items.flatMap((item: unknown) => {
    const v = item as Record<string, unknown>;
    const codeVersion = typeof v.CodeVersion === 'string' ? v.CodeVersion : String(v.CodeVersion ?? '');
    if (!/^\d+$/.test(codeVersion) || PSEUDO_VERSIONS.has(codeVersion)) return [];
    const createTime = typeof v.CreateTime === 'string' ? v.CreateTime : '';
    return [
      {
        codeVersion,
        description: typeof v.CodeDescription === 'string' ? v.CodeDescription : '',
        created: Date.parse(createTime),
        createTime,
      },
    ];
  });
}

/**
 * Every version ESA will list, newest first: every page `ListRoutineCodeVersions` allows. `total` is
 * ESA's `TotalCount`, which can exceed what the pages show.
 */
export async function listVersions(
  client: EsaClient,
  name: string,
): Promise<{ versions: ListedVersion[]; total: number }> {
  const versions: ListedVersion[] = [];
  let total = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { body } = await client.call('ListRoutineCodeVersions', {
      Name: name,
      PageNumber: String(page),
      PageSize: String(PAGE_SIZE),
    });
    const items = readPage(body);
    versions.push(...items);
    total = typeof body.TotalCount === 'number' ? body.TotalCount : versions.length;
    if (items.length < PAGE_SIZE || versions.length >= total) break;
  }
  const unique = [...new Map(versions.map((v) => [v.codeVersion, v])).values()];
  return { versions: unique.sort((a, b) => (b.created || 0) - (a.created || 0)), total };
}

/** The sha256 of a version's code, from `GetRoutineCodeVersion`'s `RoutineCode`, with its request id. */
export async function codeSha256(
  client: EsaClient,
  name: string,
  codeVersion: string,
): Promise<{ sha256: string; requestId: string }> {
  // The code is hashed as it arrives: a version of a 64 MB routine costs no 64 MB here.
  const { body, requestId } = await client.call(
    'GetRoutineCodeVersion',
    { Name: name, CodeVersion: codeVersion },
    { digest: 'RoutineCode' },
  );
  if (typeof body.RoutineCode !== 'string') {
    throw new EsaStageError(`GetRoutineCodeVersion answered without the code of ${codeVersion}`, {
      code: 'InvalidResponse',
      requestId,
      hint: 'this is unexpected from ESA; check the version in the ESA console',
    });
  }
  return { sha256: body.RoutineCode, requestId };
}

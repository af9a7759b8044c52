/** The fields of an OSS `<Error>` body. */
export interface OssXmlError {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
  readonly hostId: string | undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXml(match[1]).trim();
}

/** Reads OSS's `<Error><Code/><Message/><RequestId/><HostId/></Error>`; fields absent stay undefined. Pure. */
export function parseOssXmlError(xml: string): OssXmlError {
  return {
    code: element(xml, 'Code'),
    message: element(xml, 'Message'),
    requestId: element(xml, 'RequestId'),
    hostId: element(xml, 'HostId'),
  };
}

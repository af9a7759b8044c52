import { escapeXml } from '../http.js';

/** Extra elements some OSS errors carry after `HostId`, in this order. */
export interface OssErrorDetails {
  readonly ArgumentName?: string;
  readonly ArgumentValue?: string;
  readonly OSSAccessKeyId?: string;
  readonly StringToSign?: string;
  readonly StringToSignBytes?: string;
}

const DETAIL_ORDER = [
  'ArgumentName',
  'ArgumentValue',
  'OSSAccessKeyId',
  'StringToSign',
  'StringToSignBytes',
] as const;

/** An OSS error answer: HTTP status, error code and message. Thrown by the OSS modules. */
export class OssError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: OssErrorDetails = {},
  ) {
    super(message);
    this.name = 'OssError';
  }
}

/** The XML body of an OSS error answer. Every value is escaped. */
export function ossErrorXml(error: OssError, requestId: string, hostId: string): string {
  const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
  const details = DETAIL_ORDER.flatMap((name) => {
    const value = error.details[name];
    return value === undefined ? [] : [element(name, value)];
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>',
    element('Code', error.code),
    element('Message', error.message),
    element('RequestId', requestId),
    element('HostId', hostId),
    ...details,
    '</Error>',
  ].join('');
}

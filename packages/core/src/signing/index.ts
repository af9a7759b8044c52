export type { Acs3Authorization, Acs3Input, Acs3Signature } from './acs3.js';
export {
  ACS3_ALGORITHM,
  computeAcs3Signature,
  EMPTY_SHA256,
  formatAcs3Authorization,
  formatAcsDate,
  headersToSign,
  parseAcs3Authorization,
  sha256Hex,
} from './acs3.js';
export { canonicalQueryString, percentEncode } from './percent-encode.js';
export { computeRpcV1Signature, formatRpcTimestamp } from './rpc-v1.js';

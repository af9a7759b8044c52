export type { Acs3Authorization, Acs3Input, Acs3Signature } from './signing/acs3.js';
export {
  ACS3_ALGORITHM,
  computeAcs3Signature,
  EMPTY_SHA256,
  formatAcs3Authorization,
  formatAcsDate,
  headersToSign,
  parseAcs3Authorization,
  sha256Hex,
} from './signing/acs3.js';
export { canonicalQueryString, percentEncode } from './signing/percent-encode.js';

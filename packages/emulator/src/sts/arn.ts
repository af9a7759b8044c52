/** A RAM role ARN taken apart: `acs:ram::<account>:role/<roleName>`. */
export interface RoleArn {
  readonly account: string;
  readonly roleName: string;
}

// RAM account IDs are digits; role names are 1-64 letters, digits, `.`, `-` and `_`; provider names
// up to 128. The emulator compares ARNs exactly, case included.
const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9._-]{1,64})$/;
const OIDC_PROVIDER_ARN = /^acs:ram::\d{1,32}:oidc-provider\/[A-Za-z0-9._-]{1,128}$/;

/** The parts of a role ARN, or undefined when it is not one. */
export function parseRoleArn(text: string): RoleArn | undefined {
  const match = ROLE_ARN.exec(text);
  return match?.[1] && match[2] ? { account: match[1], roleName: match[2] } : undefined;
}

export function isOidcProviderArn(text: string): boolean {
  return OIDC_PROVIDER_ARN.test(text);
}

/** `acs:ram::<account>:assumed-role/<roleName>/<sessionName>`: who signs with the issued credentials. */
export function assumedRoleArn(role: RoleArn, sessionName: string): string {
  return `acs:ram::${role.account}:assumed-role/${role.roleName}/${sessionName}`;
}

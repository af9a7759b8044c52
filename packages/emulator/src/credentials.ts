import { timingSafeEqual } from 'node:crypto';
import { badRequest } from './esa/errors.js';

/** An AccessKey the emulator's ESA server accepts. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Required for, and only for, AccessKey IDs that start with `STS.`. */
  readonly securityToken?: string;
}

/**
 * A credential a request may be signed with: a built-in or configured one, or one the STS server
 * issued. Holds secrets: never log it, never put it in an admin answer.
 */
export interface SigningCredential extends EmulatorCredential {
  /**
   * Who signs with it: the assumed-role ARN (`acs:ram::<account>:assumed-role/<role>/<session>`) of
   * credentials issued by the STS server; `undefined` for the built-in and configured keys, which
   * stand for no particular RAM identity.
   */
  readonly principal: string | undefined;
  /** When credentials issued by the STS server stop being accepted (epoch ms); undefined for the others. */
  readonly expiresAt: number | undefined;
}

/**
 * The well-known test credentials every emulator accepts, like Azurite's development account: a
 * plain AccessKey and an STS triple. They are public on purpose and grant nothing anywhere else.
 */
export const EMULATOR_ACCESS_KEY: EmulatorCredential = Object.freeze({
  accessKeyId: 'LTAI5tEmulatorTestKey0001',
  accessKeySecret: 'esa-stage-emulator-test-secret-0001',
});

export const EMULATOR_STS_CREDENTIAL: EmulatorCredential = Object.freeze({
  accessKeyId: 'STS.NEmulatorTestKey0001',
  accessKeySecret: 'esa-stage-emulator-sts-secret-0001',
  securityToken: 'CAISEmulatorSecurityToken0001',
});

/** A configured credential as a {@link SigningCredential}: no principal, no expiry. */
export function configuredCredential(credential: EmulatorCredential): SigningCredential {
  return { ...credential, principal: undefined, expiresAt: undefined };
}

/** Looks up an AccessKey ID among the built-in and the configured credentials. */
export function findCredential<C extends EmulatorCredential>(
  credentials: readonly C[],
  accessKeyId: string,
): C | undefined {
  return credentials.find((c) => c.accessKeyId === accessKeyId);
}

export function isStsAccessKeyId(accessKeyId: string): boolean {
  return accessKeyId.startsWith('STS.');
}

/** Compares two strings in constant time (for the length they share). */
export function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Where a request carries its security token, for the error messages. */
export type TokenCarrier = 'the x-acs-security-token header' | 'the SecurityToken parameter';

/**
 * Checks the security token sent with a request signed by `credential`, as the gateway does:
 * `MissingSecurityToken` when an STS key comes without one, `InvalidSecurityToken.Mismatch` when it
 * is not the key's own (or comes with a plain key), `InvalidSecurityToken.Expired` when issued
 * credentials are used at or after their `Expiration` on the emulator's clock. All HTTP 400.
 */
export function checkSecurityToken(
  credential: SigningCredential,
  token: string | undefined,
  now: number,
  carrier: TokenCarrier,
): void {
  // InvalidSecurityToken.Mismatch is a guess: the POP gateway's list names InvalidSecurityToken.*
  // (Expired, MismatchWithAccessKey, Malformed); the emulator has answered Mismatch from the start.
  if (isStsAccessKeyId(credential.accessKeyId)) {
    if (token === undefined || token === '') {
      throw badRequest(
        'MissingSecurityToken',
        `SecurityToken is mandatory for this action: an STS AccessKey needs ${carrier}.`,
      );
    }
    if (!equalText(token, credential.securityToken ?? '')) {
      throw badRequest(
        'InvalidSecurityToken.Mismatch',
        'The security token does not belong to this STS AccessKey.',
      );
    }
    if (credential.expiresAt !== undefined && now >= credential.expiresAt) {
      throw badRequest(
        'InvalidSecurityToken.Expired',
        `Specified SecurityToken is expired: it expired at ${new Date(credential.expiresAt).toISOString()}, the server time is ${new Date(now).toISOString()}.`,
      );
    }
  } else if (token !== undefined) {
    throw badRequest(
      'InvalidSecurityToken.Mismatch',
      'A security token was sent with an AccessKey that is not an STS one.',
    );
  }
}

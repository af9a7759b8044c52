/** An AccessKey the emulator's ESA server accepts. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Required for, and only for, AccessKey IDs that start with `STS.`. */
  readonly securityToken?: string;
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

/** Looks up an AccessKey ID among the built-in and the configured credentials. */
export function findCredential(
  credentials: readonly EmulatorCredential[],
  accessKeyId: string,
): EmulatorCredential | undefined {
  return credentials.find((c) => c.accessKeyId === accessKeyId);
}

export function isStsAccessKeyId(accessKeyId: string): boolean {
  return accessKeyId.startsWith('STS.');
}

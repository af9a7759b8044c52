export const START: string;
export const END: string;
export const ERRORS_START: string;
export const ERRORS_END: string;
export interface PackageReadme {
  readonly file: string;
  readonly scopes: readonly string[];
}
export const PACKAGE_READMES: readonly PackageReadme[];
export function renderOptionsTable(scopes?: readonly string[]): string;
export function renderErrorsTable(rootReadme: string): string;
export function updateReadme(readme: string): string;
export function updatePackageReadme(readme: string, pkg: PackageReadme, rootReadme: string): string;

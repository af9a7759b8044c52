export const START: string;
export const END: string;
export function renderOptionsTable(): string;
export function updateReadme(readme: string): string;

type Undici = typeof import('undici');

let loading: Promise<Undici> | undefined;

/**
 * undici, imported on first use: it costs ~80-150 ms and ~20 MB to load, which a disabled,
 * dry-running or merely imported plugin must not pay.
 */
export function loadUndici(): Promise<Undici> {
  loading ??= import('undici');
  return loading;
}

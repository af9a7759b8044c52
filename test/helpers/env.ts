/** Runs `fn` with these environment variables set (undefined deletes one), then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/** Collects (instead of printing) what is written to a process stream while `fn` runs. */
export async function captureStream<T>(
  stream: NodeJS.WriteStream,
  fn: () => Promise<T>,
): Promise<{ value: T; text: string }> {
  let text = '';
  const write = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
  try {
    return { value: await fn(), text };
  } finally {
    stream.write = write;
  }
}

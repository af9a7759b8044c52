import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const LOADER = fileURLToPath(new URL('../dist/http/load-undici.js', import.meta.url));

it("loads undici's dispatchers without its index (fetch, WebSocket, mocks), request API included", () => {
  // A fresh process: what is in the module cache after loading is what a publish pays for.
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const { loadUndici } = await import(${JSON.stringify(LOADER)});
       const { Client, EnvHttpProxyAgent, buildConnector } = await loadUndici();
       const agent = new EnvHttpProxyAgent({ httpProxy: '', httpsProxy: '', noProxy: '' });
       const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/undici/'));
       console.log(JSON.stringify({
         kinds: [typeof Client, typeof EnvHttpProxyAgent, typeof buildConnector],
         api: [typeof agent.request, typeof agent.connect],
         index: loaded.some((p) => p.endsWith('/undici/index.js')),
         fetch: loaded.some((p) => p.includes('/lib/web/fetch/')),
         modules: loaded.length,
       }));
       await agent.close();`,
    ],
    { encoding: 'utf8' },
  );
  const result = JSON.parse(out) as {
    kinds: string[];
    api: string[];
    index: boolean;
    fetch: boolean;
    modules: number;
  };
  expect(result.kinds).toEqual(['function', 'function', 'function']);
  expect(result.api).toEqual(['function', 'function']);
  expect(result.index).toBe(false);
  expect(result.fetch).toBe(false);
  expect(result.modules).toBeGreaterThan(10);
});

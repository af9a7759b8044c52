import { afterAll, describe, it } from 'vitest';
import { answerCases } from './cases/answers.js';
import { artifactCases } from './cases/artifacts.js';
import { cliCases } from './cases/cli.js';
import { credentialCases } from './cases/credentials.js';
import { faultCases } from './cases/faults.js';
import { optionCases } from './cases/options.js';
import { pluginCases } from './cases/plugins.js';
import { type HostileCase, runCase } from './harness.js';

// The hostile suite: every case runs on its own emulator (and a proxy that can lose, cut, replace
// or withhold answers), within a hard time limit, and is checked for its outcome, the emulator's
// state and leaked secrets. docs/reliability.md describes what it covers.

const SECTIONS: readonly [string, readonly HostileCase[]][] = [
  ['credentials', credentialCases],
  ['options', optionCases],
  ['artifacts', artifactCases],
  ['server faults', faultCases],
  ['crafted answers', answerCases],
  ['command line', cliCases],
  ['plugins', pluginCases],
];

const counts = new Map<string, { passed: number; failed: number }>();

afterAll(() => {
  const lines = [...counts].map(
    ([section, c]) => `  ${section.padEnd(16)} ${c.passed} passed, ${c.failed} failed`,
  );
  const total = [...counts.values()].reduce((sum, c) => sum + c.passed + c.failed, 0);
  console.log(`hostile cases by section (${total} in all):\n${lines.join('\n')}`);
});

for (const [section, cases] of SECTIONS) {
  describe.concurrent(`hostile: ${section}`, () => {
    for (const test of cases) {
      it(
        test.name,
        async () => {
          const count = counts.get(section) ?? { passed: 0, failed: 0 };
          counts.set(section, count);
          try {
            await runCase(test);
            count.passed += 1;
          } catch (error) {
            count.failed += 1;
            throw error;
          }
        },
        (test.limitMs ?? 12_000) + 5_000,
      );
    }
  });
}

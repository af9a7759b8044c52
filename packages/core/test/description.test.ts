import { describe, expect, it } from 'vitest';
import {
  boundDescription,
  descriptionNeedsGit,
  fillTemplate,
  formatDescription,
} from '../src/git/description.js';
import type { GitInfo } from '../src/index.js';

const info: GitInfo = {
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  shortSha: 'a1b2c3d',
  subject: 'feat: x',
  branch: 'main',
  dirty: false,
  source: 'git',
};
const now = new Date('2026-11-28T10:00:00.000Z');

describe('formatDescription', () => {
  it('defaults to "<shortSha> <subject>" and marks a dirty tree', () => {
    expect(formatDescription(undefined, info, now)).toEqual({
      description: 'a1b2c3d feat: x',
      warning: undefined,
    });
    expect(formatDescription(undefined, { ...info, dirty: true }, now).description).toBe(
      'a1b2c3d-dirty feat: x',
    );
  });

  it('fills templates and passes plain strings through', () => {
    expect(formatDescription('{branch}@{sha}{dirty}', { ...info, dirty: true }, now).description).toBe(
      'main@a1b2c3d4e5f60718293a4b5c6d7e8f9012345678-dirty',
    );
    expect(formatDescription('release 1.2 {unknown}', info, now).description).toBe('release 1.2 {unknown}');
  });

  it('calls a function with the git info', () => {
    expect(formatDescription((i) => `${i.branch}:${i.shortSha}`, info, now).description).toBe('main:a1b2c3d');
  });

  it('never throws: a throwing or empty function falls back with a warning', () => {
    const thrown = formatDescription(
      () => {
        throw new Error('boom');
      },
      info,
      now,
    );
    expect(thrown.description).toBe('a1b2c3d feat: x');
    expect(thrown.warning).toMatch(/threw \(boom\)/);
    expect(formatDescription(() => '  ', info, now).warning).toMatch(/empty string/);
  });

  it('uses "build <ISO time>" with a warning when nothing is known', () => {
    const unknown: GitInfo = {
      sha: undefined,
      shortSha: undefined,
      subject: undefined,
      branch: undefined,
      dirty: undefined,
      source: 'none',
    };
    const result = formatDescription(undefined, unknown, now);
    expect(result.description).toBe('build 2026-11-28T10:00:00.000Z');
    expect(result.warning).toMatch(/no git commit or CI variables/);
  });
});

describe('boundDescription', () => {
  it('cuts on a code-point boundary and never splits a surrogate pair', () => {
    const long = '😀'.repeat(300);
    const bounded = boundDescription(long, 256);
    expect(Array.from(bounded)).toHaveLength(256);
    expect(bounded.endsWith('😀…')).toBe(true);
    expect(bounded.isWellFormed()).toBe(true);
  });

  it('makes one line', () => {
    expect(boundDescription(' a\nb\r\n\tc  d ')).toBe('a b c d');
  });

  it('leaves short text alone', () => {
    expect(boundDescription('中文 ok')).toBe('中文 ok');
    expect(fillTemplate('{subject}', { ...info, subject: undefined })).toBe('');
  });
});

describe('descriptionNeedsGit', () => {
  it('asks git only for the default, a template or a function, never for plain text', () => {
    expect(descriptionNeedsGit(undefined)).toBe(true);
    expect(descriptionNeedsGit('{shortSha} {subject}')).toBe(true);
    expect(descriptionNeedsGit(() => 'x')).toBe(true);
    expect(descriptionNeedsGit('release 42')).toBe(false);
  });
});

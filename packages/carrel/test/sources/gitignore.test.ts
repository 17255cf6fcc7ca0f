import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { GitignoreRules } from '../../src/sources/gitignore.js';
import { fastestOf } from '../support/timing.js';

const FILE = [
  '# a comment',
  '',
  '*.log',
  '!keep.log',
  'build/',
  '/root-only.md',
  'docs/private/',
  'a/**/z.md',
  '**/tmp',
  'notes/**',
  '\\#hash.md',
  'trailing.md   ',
  '[Rr]eadme.txt',
  'x?.md',
].join('\r\n');
const PATHS: [string, boolean][] = [
  ['app.log', false],
  ['deep/app.log', false],
  ['keep.log', false],
  ['build', true],
  ['build', false],
  ['src/build', true],
  ['root-only.md', false],
  ['sub/root-only.md', false],
  ['docs/private', true],
  ['x/docs/private', true],
  ['a/z.md', false],
  ['a/b/c/z.md', false],
  ['tmp', false],
  ['q/tmp', true],
  ['notes', true],
  ['notes/n.md', false],
  ['#hash.md', false],
  ['trailing.md', false],
  ['README.txt', false],
  ['readme.txt', false],
  ['xy.md', false],
  ['x/y.md', false],
];

describe('GitignoreRules', () => {
  it('gives the verdicts git gives (checked against the ignore package on ordinary rules)', () => {
    const ours = new GitignoreRules(FILE);
    const theirs = ignore({ ignorecase: false }).add(FILE); // git on Linux is case-sensitive
    for (const [path, isFolder] of PATHS) {
      const expected = theirs.test(isFolder ? `${path}/` : path);
      const verdict = expected.ignored ? 'ignored' : expected.unignored ? 'included' : undefined;
      expect([path, isFolder, ours.verdict(path, isFolder)]).toEqual([path, isFolder, verdict]);
    }
  });

  it('matches a hostile rule in time linear in the path', () => {
    // The ignore package took 1 s on a 40-level path with six of these; here there are twelve.
    const rules = new GitignoreRules(`${'a/**/'.repeat(12)}b\n*a*a*a*a*a*a*a*a*a*a*b\n`);
    const path = (n: number) => Array.from({ length: n }, () => 'a').join('/');
    const [shallow, deeper] = fastestOf([() => rules.verdict(path(250), false), () => rules.verdict(path(1000), false)], 5);
    expect(deeper).toBeLessThan(10 * shallow! + 1);
    expect(rules.verdict(path(1000), false)).toBeUndefined();
  });
});

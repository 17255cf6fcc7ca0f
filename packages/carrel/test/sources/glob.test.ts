import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from 'carrel';
import { compileGlob, MAX_ALTERNATIVES } from '../../src/sources/glob.js';
import { fastestOf } from '../support/timing.js';

const PATHS = [
  'a.md',
  'docs/a.md',
  'docs/api/b.md',
  '.git/x.md',
  'docs/.hidden/c.txt',
  'x/node_modules/y/z.md',
  'a.txt',
  'readme',
  'b[1].md',
  'docs/ab/c',
];
const GLOBS = [
  '**/*.{md,markdown,mdx,txt,rst,adoc,html,htm,pdf}',
  '**/node_modules/**',
  '**/.*/**',
  'docs/**/*.md',
  'docs/*.md',
  '*.md',
  '?.md',
  '[ab].md',
  'docs/{a,ab}/**',
  'docs/{api/*,a*}.md',
  '**',
  'b\\[1\\].md',
];

describe('compileGlob', () => {
  it('matches what picomatch (dot: true) matches on ordinary globs', () => {
    for (const glob of GLOBS) {
      const ours = compileGlob(glob);
      const theirs = picomatch(glob, { dot: true });
      for (const path of PATHS) expect([glob, path, ours(path)]).toEqual([glob, path, theirs(path)]);
    }
  });

  it('negates a class with ! or ^ as POSIX does (picomatch reads [!a] as "! or a")', () => {
    expect(compileGlob('[!a].*')('a.md')).toBe(false);
    expect(compileGlob('[^a].*')('b.md')).toBe(true);
    expect(compileGlob('[a-c]-[!0-9]')('b-x')).toBe(true);
    expect(compileGlob('[a-c]-[!0-9]')('b-7')).toBe(false);
  });

  it('negates with a leading ! and reads a lone or unclosed brace literally', () => {
    expect(compileGlob('!**/*.md')('a/b.txt')).toBe(true);
    expect(compileGlob('!**/*.md')('a/b.md')).toBe(false);
    expect(compileGlob('{a}.md')('{a}.md')).toBe(true);
    expect(compileGlob('{a,b.md')('{a,b.md')).toBe(true);
  });

  it('refuses extglobs and brace explosions with an error naming the argument', () => {
    expect(() => compileGlob('+(a|b).md', 'glob', 'include')).toThrow(InvalidInputError);
    expect(() => compileGlob('+(a|b).md', 'glob', 'include')).toThrow(/Invalid include: .*extglobs/);
    const explosive = '{a,b}'.repeat(9); // 512 alternatives
    expect(() => compileGlob(explosive, 'glob', 'exclude')).toThrow(new RegExp(`at most ${MAX_ALTERNATIVES} brace alternatives`));
  });

  it('matches hostile globs in time linear in the path', () => {
    // picomatch took 13.6 s for six of these stars against 60 characters, and 4× more stars or path is hopeless.
    const stars = compileGlob(`${'*a'.repeat(12)}*b`);
    const deep = compileGlob(`${'a/**/'.repeat(12)}b`);
    const name = (n: number) => 'a'.repeat(n);
    const path = (n: number) => Array.from({ length: n }, () => 'a').join('/');
    const [short, long] = fastestOf([() => stars(name(250)), () => stars(name(1000))], 5);
    expect(long).toBeLessThan(10 * short! + 1);
    const [shallow, deeper] = fastestOf([() => deep(path(250)), () => deep(path(1000))], 5);
    expect(deeper).toBeLessThan(10 * shallow! + 1);
    expect(stars(name(1000))).toBe(false);
    expect(deep(path(1000))).toBe(false);
  });
});

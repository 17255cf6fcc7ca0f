/**
 * The rules of one .gitignore file, as gitignore(5) defines them: `#` comments, `!` re-includes,
 * a trailing `/` for folders only, a pattern with a `/` before its end anchored to the file's
 * folder and one without matching at any depth, `\` escapes, and trailing blanks dropped unless
 * escaped. Patterns are matched by {@link compileGlob} in gitignore mode, in time linear in the
 * path, because the file comes from the folder being indexed and may be hostile.
 *
 * @module
 */
import { compileGlob } from './glob.js';

interface Rule {
  matches: (path: string) => boolean;
  negated: boolean;
  foldersOnly: boolean;
}

/** What a .gitignore says of a path: `ignored`, `included` (a `!` rule), or nothing. */
export type GitignoreVerdict = 'ignored' | 'included' | undefined;

/** Parsed rules of one .gitignore file. */
export class GitignoreRules {
  private readonly rules: Rule[] = [];

  constructor(text: string) {
    for (const raw of text.split('\n')) {
      const rule = parseRule(raw);
      if (rule) this.rules.push(rule);
    }
  }

  /** The verdict of the last rule that matches `path` (relative to the file's folder, `/`-separated). */
  verdict(path: string, isFolder: boolean): GitignoreVerdict {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i]!;
      if ((!rule.foldersOnly || isFolder) && rule.matches(path)) return rule.negated ? 'included' : 'ignored';
    }
    return undefined;
  }
}

function parseRule(raw: string): Rule | undefined {
  let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t') && line[end - 2] !== '\\') end--;
  line = line.slice(0, end);
  if (line === '' || line.startsWith('#')) return undefined;
  const negated = line.startsWith('!');
  if (negated) line = line.slice(1);
  const foldersOnly = line.endsWith('/') && !line.endsWith('\\/');
  if (foldersOnly) line = line.slice(0, -1);
  if (line === '') return undefined;
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  return { matches: compileGlob(anchored ? line : `**/${line}`, 'gitignore'), negated, foldersOnly };
}

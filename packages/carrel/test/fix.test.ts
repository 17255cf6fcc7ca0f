import { describe, expect, it } from 'vitest';
import { toolFix } from '../src/app/tools/tool-fix.js';
import { cliFix } from '../src/cli/fix.js';
import { EmbedderMismatchError, PathNotAllowedError } from '../src/errors.js';
import { apiFix, type Fix, withFix } from '../src/fix.js';

const reindex: Fix = { action: 'reindex', library: 'python', version: '3.11' };

describe('fixes named per surface', () => {
  it('names a reindex as the method, the command, or the tool call with its arguments', () => {
    expect(apiFix(reindex)).toBe('run reindexLibrary("python", "3.11")');
    expect(cliFix(reindex)).toBe('run carrel reindex python@3.11');
    expect(cliFix({ action: 'reindex', library: 'my docs', version: '' })).toBe("run carrel reindex 'my docs'");
    expect(toolFix(reindex)).toBe('call reindex_library with {"library":"python","version":"3.11"}');
  });

  it("keeps an error's problem apart from its fix, and its message in the library API's terms", () => {
    const error = new EmbedderMismatchError({ name: 'python', version: '3.11' }, 'offline:hash-v2', 'local:x');
    expect(error.fix).toEqual(reindex);
    expect(error.message).toBe(`${error.problem}; run reindexLibrary("python", "3.11")`);
    const refused = new PathNotAllowedError('/outside/a.md', ['/docs']);
    expect(refused.message).toContain('add /outside to allowedRoots');
    expect(withFix(refused.problem, refused.fix, cliFix)).toBe(
      'Path /outside/a.md is outside the allowed roots (/docs); allow its folder with --allow /outside (or CARREL_ALLOWED_ROOTS)',
    );
    expect(withFix(refused.problem, refused.fix, toolFix)).not.toContain('allowedRoots');
  });
});

import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../src/data-dir.js';

describe('resolveDataDir', () => {
  it('prefers the explicit flag, then CARREL_DATA_DIR, then the platform folder', () => {
    expect(resolveDataDir('/x/flag', { CARREL_DATA_DIR: '/x/env' })).toBe('/x/flag');
    expect(resolveDataDir(undefined, { CARREL_DATA_DIR: '/x/env' })).toBe('/x/env');
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/x/xdg' }, 'linux')).toBe('/x/xdg/carrel');
    expect(resolveDataDir(undefined, {}, 'darwin')).toMatch(/Library\/Application Support\/carrel$/);
  });
});

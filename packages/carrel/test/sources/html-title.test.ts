import { describe, expect, it } from 'vitest';
import { pageTitle } from '../../src/sources/html/title.js';

const t = (title: string | undefined, h1?: string, siteName?: string, noise?: RegExp) => pageTitle({ title, h1, siteName, noise });

describe('pageTitle', () => {
  it("removes the recognised generator's noise", () => {
    expect(t('gzip — Support for gzip files — Python 3.11.2 documentation', undefined, undefined, / [—–|-] [^—–|]+$/)).toBe(
      'gzip — Support for gzip files',
    );
    expect(t('CharUtils (Apache Commons Lang 3.12.0 API)', 'Class CharUtils', undefined, / \([^()]+\)$/)).toBe('CharUtils');
  });

  it("removes the PostgreSQL website's prefix", () => {
    expect(t('PostgreSQL: Documentation: 15: psql')).toBe('psql');
    expect(t('PostgreSQL 15.4 Documentation: CREATE TABLE')).toBe('CREATE TABLE');
  });

  it("removes the last part when it is the site's name, a documentation set's name, or the rest is the page's H1", () => {
    expect(t('Queues | Acme', undefined, 'Acme')).toBe('Queues');
    expect(t('Queues - Acme Platform Docs')).toBe('Queues');
    expect(t('Queues · Acme', 'Queues')).toBe('Queues');
  });

  it('keeps a title whose last part is not known to be a suffix', () => {
    expect(t('Rock - Paper - Scissors', 'Rules')).toBe('Rock - Paper - Scissors');
    expect(t('Pre-commit hooks')).toBe('Pre-commit hooks');
    expect(t('Python 3.11.2 documentation', undefined, undefined, / [—–|-] [^—–|]+$/)).toBe('Python 3.11.2 documentation');
  });

  it('falls back to the H1 (without its permalink sign) when there is no <title>', () => {
    expect(t(undefined, 'Installation ¶')).toBe('Installation');
    expect(t('  ', undefined)).toBeUndefined();
  });
});

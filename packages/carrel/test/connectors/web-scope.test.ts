import { describe, expect, it } from 'vitest';
import { normaliseUrl, Scope } from '../../src/connectors/web-scope.js';

describe('normaliseUrl', () => {
  it('drops the fragment, the default port and an empty query, lower-cases scheme and host, and keeps the trailing slash', () => {
    expect(normaliseUrl('HTTPS://Docs.Example.COM:443/Guide/#install')).toBe('https://docs.example.com/Guide/');
    expect(normaliseUrl('http://example.com:80/a?')).toBe('http://example.com/a');
    expect(normaliseUrl('http://example.com/a/')).not.toBe(normaliseUrl('http://example.com/a'));
    expect(normaliseUrl('../b?y=2&x=1', 'http://example.com/a/c')).toBe('http://example.com/b?y=2&x=1');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(normaliseUrl('mailto:someone@example.com')).toBeUndefined();
    expect(normaliseUrl('javascript:void(0)')).toBeUndefined();
    expect(normaliseUrl('http://')).toBeUndefined();
  });
});

describe('Scope', () => {
  it('keeps to the origin and the path prefix, then applies include and exclude globs to the path', () => {
    const scope = new Scope({
      start: 'https://example.com/docs/',
      pathPrefix: '/docs/',
      include: ['docs/**'],
      exclude: ['**/*.zip', 'docs/old/**'],
    });
    expect(scope.contains('https://example.com/docs/guide')).toBe(true);
    expect(scope.contains('https://example.com/docs/my%20page')).toBe(true);
    expect(scope.contains('http://example.com/docs/guide')).toBe(false);
    expect(scope.contains('https://example.com:8443/docs/guide')).toBe(false);
    expect(scope.contains('https://example.com/blog/post')).toBe(false);
    expect(scope.contains('https://example.com/docs/files/a.zip')).toBe(false);
    expect(scope.contains('https://example.com/docs/old/intro')).toBe(false);
  });

  it('takes the whole origin by default', () => {
    const scope = new Scope({ start: 'https://example.com/docs/', include: [], exclude: [] });
    expect(scope.contains('https://example.com/anything?at=all')).toBe(true);
    expect(scope.contains('https://sub.example.com/')).toBe(false);
  });
});

/**
 * What the page is never sent: values under secret-looking keys at any depth, and answers to input
 * requests whose schema marks a field as a password or write-only (in the answer or in an
 * elicitation result's `content`). The stored value is left as it was.
 */
import { describe, expect, it } from 'vitest';
import { MASK, maskAnswer, maskSecrets } from '../../src/dashboard/masking.js';

describe('masking', () => {
  it('masks secret-looking keys at any depth and leaves the rest and the original alone', () => {
    const input = {
      url: 'https://x',
      headers: { Authorization: 'Bearer t', 'X-Api-Key': 'k' },
      list: [{ password: 'p', name: 'n' }],
      github_token: 'g',
      clientSecret: 's',
    };
    const masked = maskSecrets(input);
    expect(masked).toEqual({
      url: 'https://x',
      headers: { Authorization: MASK, 'X-Api-Key': MASK },
      list: [{ password: MASK, name: 'n' }],
      github_token: MASK,
      clientSecret: MASK,
    });
    expect(input.headers.Authorization).toBe('Bearer t');
  });

  it('masks answers to password and write-only fields of the request’s schema', () => {
    const schema = {
      type: 'object',
      properties: { pin: { type: 'string', format: 'password' }, code: { type: 'string', writeOnly: true }, name: { type: 'string' } },
    };
    expect(maskAnswer({ action: 'accept', content: { pin: '1234', code: 'c', name: 'Ada' } }, schema)).toEqual({
      action: 'accept',
      content: { pin: MASK, code: MASK, name: 'Ada' },
    });
    expect(maskAnswer({ pin: '1234', name: 'Ada' }, schema)).toEqual({ pin: MASK, name: 'Ada' });
    expect(maskAnswer({ content: { token: 't' } }, undefined)).toEqual({ content: { token: MASK } });
    expect(maskAnswer('plain', schema)).toBe('plain');
  });
});

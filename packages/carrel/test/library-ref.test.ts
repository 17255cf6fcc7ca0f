import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.js';
import { parseLibraryRef } from '../src/library-ref.js';

describe('parseLibraryRef', () => {
  it('reads name@version the way carrel libraries prints it, and a bare name as it is', () => {
    expect(parseLibraryRef('python@3.11', undefined)).toEqual({ library: 'python', version: '3.11' });
    expect(parseLibraryRef('python', undefined)).toEqual({ library: 'python', version: undefined });
    expect(parseLibraryRef('python', '3.11')).toEqual({ library: 'python', version: '3.11' });
    expect(parseLibraryRef('@scope/pkg@2.0', undefined)).toEqual({ library: '@scope/pkg', version: '2.0' });
    expect(parseLibraryRef('@scope/pkg', undefined)).toEqual({ library: '@scope/pkg', version: undefined });
    expect(parseLibraryRef('odd@', undefined)).toEqual({ library: 'odd@', version: undefined });
  });

  it('takes a matching or empty explicit version, and refuses a different one', () => {
    expect(parseLibraryRef('python@3.11', '3.11')).toEqual({ library: 'python', version: '3.11' });
    expect(parseLibraryRef('python@3.11', '')).toEqual({ library: 'python', version: '3.11' });
    expect(() => parseLibraryRef('python@3.11', '3.12')).toThrow(InvalidInputError);
  });
});

/**
 * What counts as white space in text scans, by code point: the ECMAScript WhiteSpace and
 * LineTerminator set, which is what `String.prototype.trim` removes and `\s` matches. Scanners
 * test it character by character instead of running a regular expression over long text.
 *
 * @module
 */

/** True for a UTF-16 code unit that `trim` would remove. */
export function isSpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

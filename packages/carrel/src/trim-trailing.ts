/**
 * Trimming a repeated character off the end of user text (URLs, paths) without a regular
 * expression: `/\/+$/` is retried from every start position, and each start rescans the whole
 * run, so a long run of slashes not at the end costs quadratic time.
 *
 * @module
 */

/** `text` without the run of `char` (one UTF-16 unit) at its end. */
export function trimTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}

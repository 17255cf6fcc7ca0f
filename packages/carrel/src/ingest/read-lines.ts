/**
 * Streams a text file as lines with bounded memory: each line comes with its line end (`\n` or
 * `\r\n`; none on a last line without one), so the pieces joined are the file's text exactly, and
 * a line longer than `maxLine` characters comes in several pieces, so even a single-line 200 MB
 * file never sits in memory whole.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';

/** Reads an open file from its start without closing it: the caller owns the descriptor. */
const fromStart = (fd: number) => createReadStream('', { fd, start: 0, autoClose: false, highWaterMark: 1 << 20 });

/** Yields the lines of an open UTF-8 file, each with its line end. */
export async function* readLines(fd: number, maxLine = 65_536): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const part of fromStart(fd)) {
    rest += decoder.decode(part as Buffer, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
      yield rest.slice(start, nl + 1);
      start = nl + 1;
    }
    rest = rest.slice(start);
    while (rest.length > maxLine) {
      yield rest.slice(0, maxLine);
      rest = rest.slice(maxLine);
    }
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

/** SHA-256 of an open file, streamed. */
export async function hashFile(fd: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of fromStart(fd)) hash.update(part as Buffer);
  return hash.digest('hex');
}

/**
 * Frame checking in front of the SDK's stdio transport. The SDK skips a line that is not JSON
 * without a word and drops a JSON line that is not a JSON-RPC message after reporting it only to
 * `onerror`; a client then waits forever. JSON-RPC 2.0 wants an error response (id null), so
 * this filter answers those lines itself — -32700 for unparsable JSON, -32600 for anything else
 * that is not a message, or for a frame over the size limit — and passes every other line through.
 *
 * @module
 */
import { Transform, type Writable } from 'node:stream';

const NEWLINE = 0x0a;

/** A stream of the valid lines of `input`; invalid ones are answered on `output`. */
export function checkedFrames(output: Writable, maxFrameBytes: number): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  const reply = (code: number, message: string) =>
    output.write(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } })}\n`);

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        const part = chunk.subarray(start, nl);
        start = nl + 1;
        if (skipping) {
          skipping = false;
          continue;
        }
        const line = pending.length ? Buffer.concat([...pending, part]) : part;
        pending = [];
        pendingBytes = 0;
        const verdict = judge(line);
        if (verdict === null) this.push(Buffer.concat([line, Buffer.from('\n')]));
        else if (verdict) reply(verdict.code, verdict.message);
      }
      const rest = chunk.subarray(start);
      if (!skipping && rest.length > 0) {
        pendingBytes += rest.length;
        if (pendingBytes > maxFrameBytes) {
          // Drop the rest of this frame as it streams in, rather than buffering it.
          pending = [];
          pendingBytes = 0;
          skipping = true;
          reply(-32600, `Invalid Request: the message exceeds ${maxFrameBytes} bytes`);
        } else pending.push(rest);
      }
      done();
    },
  });
}

/** null: a message to pass on; false: a blank line to ignore; otherwise the error to answer. */
function judge(line: Buffer): { code: number; message: string } | null | false {
  const text = line.toString('utf8').replace(/\r$/, '');
  if (text.trim() === '') return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: -32700, message: 'Parse error: the line is not valid JSON' };
  }
  const isMessage =
    typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { jsonrpc?: unknown }).jsonrpc === '2.0';
  return isMessage ? null : { code: -32600, message: 'Invalid Request: expected one JSON-RPC 2.0 message object per line' };
}

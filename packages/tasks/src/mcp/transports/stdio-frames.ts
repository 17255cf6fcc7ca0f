/**
 * Frame checking in front of the SDK's stdio transport. The SDK skips a line that is not JSON
 * without a word and drops a JSON line that its message schema rejects after reporting it only to
 * `onerror`; a client then waits forever. JSON-RPC 2.0 wants an error response, so this filter
 * answers those lines itself — -32700 for unparsable JSON, -32600 for anything else that is not a
 * message (a request whose `method` is missing or not a string, an `id` of the wrong type, `params`
 * that is not an object, an unknown member…) or for a frame over the size limit — and passes every
 * other line through. A line is judged by the SDK's own schema (`parseJSONRPCMessage`), so what
 * passes is exactly what the SDK accepts. The error carries the request's id when one can be read
 * (JSON-RPC 2.0 §5: null only when it cannot).
 *
 * @module
 */
import { Transform, type Writable } from 'node:stream';
import { parseJSONRPCMessage } from '@modelcontextprotocol/server';

const NEWLINE = 0x0a;

/** A stream of the valid lines of `input`; invalid ones are answered on `output`. */
export function checkedFrames(output: Writable, maxFrameBytes: number): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  const reply = (code: number, message: string, id: string | number | null = null) =>
    output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);

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
        else if (verdict) reply(verdict.code, verdict.message, verdict.id);
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

/** A line's error reply: its code, a message naming what is wrong, and the request's id where it can be read. */
interface Verdict {
  code: number;
  message: string;
  id: string | number | null;
}

/** null: a message to pass on; false: a blank line to ignore; otherwise the error to answer. */
function judge(line: Buffer): Verdict | null | false {
  const text = line.toString('utf8').replace(/\r$/, '');
  if (text.trim() === '') return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: -32700, message: 'Parse error: the line is not valid JSON', id: null };
  }
  try {
    parseJSONRPCMessage(value);
    return null;
  } catch {
    return { code: -32600, message: `Invalid Request: ${whatIsWrong(value)}`, id: readableId(value) };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string | number => typeof value === 'string' || Number.isInteger(value);

/** The id of a request the schema rejected, when it has a valid one; never a response's (it would answer the client's own request). */
function readableId(value: unknown): string | number | null {
  return isObject(value) && !('result' in value) && !('error' in value) && isId(value.id) ? value.id : null;
}

const MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/** Names the first thing that keeps `value` from being a JSON-RPC 2.0 message, in the order a reader would check. */
function whatIsWrong(value: unknown): string {
  if (!isObject(value)) return 'expected one JSON-RPC 2.0 message object per line';
  if (value.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  const unknown = Object.keys(value).find((key) => !MEMBERS.has(key));
  if (unknown !== undefined) return `unexpected member "${unknown}"`;
  if ('id' in value && !isId(value.id)) return 'id must be a string or an integer';
  if ('result' in value || 'error' in value)
    return 'a response needs an id and exactly one of result (an object) or error ({ code, message })';
  if (!('method' in value)) return 'method is missing';
  if (typeof value.method !== 'string') return 'method must be a string';
  if ('params' in value && !isObject(value.params)) return 'params must be an object';
  const meta = (value.params as Record<string, unknown> | undefined)?._meta;
  if (meta !== undefined && !isObject(meta)) return 'params._meta must be an object';
  if (isObject(meta) && 'progressToken' in meta && !isId(meta.progressToken))
    return 'params._meta.progressToken must be a string or an integer';
  return 'not a JSON-RPC 2.0 message';
}

/** The stdio frame filter: valid lines pass through whole, however they are chunked; bad ones are answered. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkedFrames } from '../../../src/mcp/transports/stdio-frames.js';

function run(
  chunks: Array<string | Buffer>,
  maxFrameBytes = 1024,
): Promise<{ passed: string; answered: Array<{ id: unknown; error: { code: number; message: string } }> }> {
  const output = new PassThrough();
  const answers: string[] = [];
  output.on('data', (chunk: Buffer) => answers.push(chunk.toString()));
  const frames = checkedFrames(output, maxFrameBytes);
  const passed: Buffer[] = [];
  frames.on('data', (chunk: Buffer) => passed.push(chunk));
  return new Promise((resolve) => {
    frames.on('end', () =>
      resolve({
        passed: Buffer.concat(passed).toString(),
        answered: answers
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      }),
    );
    for (const chunk of chunks) frames.write(chunk);
    frames.end();
  });
}

const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

describe('checkedFrames', () => {
  it('passes messages split across chunks through unchanged', async () => {
    const text = `${ping(1)}\n${ping(2)}\r\n`;
    const { passed, answered } = await run([text.slice(0, 7), text.slice(7, 30), text.slice(30)]);
    expect(passed).toBe(`${ping(1)}\n${ping(2)}\r\n`);
    expect(answered).toEqual([]);
  });

  it('answers unparsable JSON with -32700 and a non-message with -32600, ignoring blank lines', async () => {
    const { passed, answered } = await run([`{"jsonrpc":\n\n[1,2]\n"text"\n${ping(3)}\n`]);
    expect(answered.map((a) => [a.id, a.error.code])).toEqual([
      [null, -32700],
      [null, -32600],
      [null, -32600],
    ]);
    expect(passed).toBe(`${ping(3)}\n`);
  });

  it('answers an oversized frame once with -32600, drops it as it streams, and resumes at the next line', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping', params: { pad: 'x'.repeat(3000) } });
    const { passed, answered } = await run([big.slice(0, 1500), big.slice(1500), `\n${ping(5)}\n`]);
    expect(answered.map((a) => a.error.code)).toEqual([-32600]);
    expect(passed).toBe(`${ping(5)}\n`);
  });

  it('answers every shape the SDK would drop with -32600, naming the fault and echoing a readable request id', async () => {
    const lines = [
      ['{"jsonrpc":"2.0","id":7,"method":null}', 7, 'method must be a string'],
      ['{"jsonrpc":"2.0","id":8}', 8, 'method is missing'],
      ['{"jsonrpc":"2.0","id":"s","method":5}', 's', 'method must be a string'],
      ['{"jsonrpc":"2.0","id":{},"method":"ping"}', null, 'id must be a string or an integer'],
      ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', null, 'id must be a string or an integer'],
      ['{"jsonrpc":"2.0","id":null,"method":"ping"}', null, 'id must be a string or an integer'],
      ['{"jsonrpc":"2.0","id":9,"method":"ping","params":[1]}', 9, 'params must be an object'],
      ['{"jsonrpc":"2.0","id":10,"method":"ping","params":"x"}', 10, 'params must be an object'],
      ['{"jsonrpc":"2.0","id":11,"method":"ping","params":{"_meta":{"progressToken":true}}}', 11, 'progressToken'],
      ['{"jsonrpc":"2.0","id":12,"method":"ping","extra":1}', 12, 'unexpected member "extra"'],
      ['{"jsonrpc":"1.0","id":13,"method":"ping"}', 13, 'jsonrpc must be "2.0"'],
      ['{"jsonrpc":"2.0","method":5}', null, 'method must be a string'],
      // A malformed response never echoes its id: the client would take it for the answer to its own request 14.
      ['{"jsonrpc":"2.0","id":14,"error":"bad"}', null, 'a response needs'],
    ] as const;
    const { passed, answered } = await run([lines.map(([line]) => line).join('\n') + `\n${ping(15)}\n`]);
    expect(answered.map((a) => [a.id, a.error.code])).toEqual(lines.map(([, id]) => [id, -32600]));
    answered.forEach((a, i) => expect(a.error.message).toContain(lines[i]![2]));
    expect(passed).toBe(`${ping(15)}\n`);
  });

  it('passes notifications and responses that the SDK accepts', async () => {
    const notification = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const result = JSON.stringify({ jsonrpc: '2.0', id: 3, result: {} });
    const error = JSON.stringify({ jsonrpc: '2.0', id: 4, error: { code: -1, message: 'no' } });
    const { passed, answered } = await run([`${notification}\n${result}\n${error}\n`]);
    expect(answered).toEqual([]);
    expect(passed).toBe(`${notification}\n${result}\n${error}\n`);
  });
});

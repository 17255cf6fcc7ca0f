/** The stdio frame filter: valid lines pass through whole, however they are chunked; bad ones are answered. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkedFrames } from '../../../src/mcp/transports/stdio-frames.js';

function run(
  chunks: Array<string | Buffer>,
  maxFrameBytes = 1024,
): Promise<{ passed: string; answered: Array<{ id: unknown; error: { code: number } }> }> {
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
});

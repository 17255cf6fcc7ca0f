/** The one mapping to JSON-RPC errors: the SDK's validation failures become readable -32602, nothing else does. */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromSdkValidation } from '../../src/mcp/errors.js';

const zodDump = (schema: z.ZodType, value: unknown) => String(schema.safeParse(value).error);

describe('fromSdkValidation', () => {
  it('turns the plain Error holding zod issues into -32602 naming each field under params', () => {
    const dump = zodDump(z.object({ params: z.object({ level: z.enum(['info', 'debug']), depth: z.number() }) }), {
      params: { level: 'x' },
    });
    const error = fromSdkValidation(new Error(dump), 'logging/setLevel');
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error?.code).toBe(ProtocolErrorCode.InvalidParams);
    expect(error?.message).toBe(
      'Invalid params for logging/setLevel: level: Invalid option: expected one of "info"|"debug"; depth: Invalid input: expected number, received undefined',
    );
  });

  it("reformats the SDK's -32602 that prefixes the dump", () => {
    const dump = zodDump(z.object({ params: z.object({ name: z.string() }) }), { params: {} });
    const error = fromSdkValidation(
      new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid tools/call request: ${dump}`),
      'tools/call',
    );
    expect(error?.message).toBe('Invalid params for tools/call: name: Invalid input: expected string, received undefined');
  });

  it('leaves every other error alone', () => {
    expect(fromSdkValidation(new Error('disk full'), 'tools/list')).toBeUndefined();
    expect(fromSdkValidation(new Error('see [1, 2]'), 'tools/list')).toBeUndefined();
    expect(fromSdkValidation(new Error('[{"note": "not an issue"}]'), 'tools/list')).toBeUndefined();
    expect(fromSdkValidation(new ProtocolError(ProtocolErrorCode.InternalError, '[{"path":[],"message":"x"}]'), 'x')).toBeUndefined();
    expect(fromSdkValidation(new ProtocolError(ProtocolErrorCode.InvalidParams, 'Tool [x] not found'), 'tools/call')).toBeUndefined();
    expect(fromSdkValidation('a string', 'x')).toBeUndefined();
  });
});

/**
 * Every carrel tool declares the one OAuth scope it needs, and the scope agrees with its
 * `readOnlyHint`: tools that only read need `carrel:read`, tools that change anything `carrel:write`.
 * A new tool without a scope would be callable by any token.
 */
import { describe, expect, it } from 'vitest';
import type { KnowledgeBaseHandle } from '../../src/app/knowledge-base-handle.js';
import { READ_SCOPE, WRITE_SCOPE } from '../../src/app/scopes.js';
import { carrelTools } from '../../src/app/tools/index.js';

describe('tool scopes', () => {
  it('gives each tool carrel:read when it only reads and carrel:write otherwise', () => {
    // Declaring the tools reads nothing from the knowledge base: only their definitions are looked at.
    const tools = carrelTools({} as KnowledgeBaseHandle);
    expect(tools.length).toBeGreaterThan(10);
    for (const tool of tools) {
      const expected = tool.annotations?.readOnlyHint === true ? READ_SCOPE : WRITE_SCOPE;
      expect({ tool: tool.name, scopes: tool.requiredScopes }).toEqual({ tool: tool.name, scopes: [expected] });
    }
  });
});

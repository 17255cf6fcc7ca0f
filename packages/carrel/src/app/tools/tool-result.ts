/**
 * How carrel's tools answer. Successful calls carry a short text for the model and the same data
 * as `structuredContent`. Expected knowledge-base conditions (a missing file, a path outside the
 * allowed roots, an unknown document) become `isError` results the model can read and act on
 * (spec 2025-11-25, "Error Handling"), in this one place; anything else propagates to the MCP
 * layer, which answers it as a JSON-RPC error.
 *
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ToolContext } from '@carrel/tasks/mcp';
import { KnowledgeBaseError } from '../../errors.js';

/** A successful result: text for the model, the data for programs. */
export function dataResult(text: string, data: object): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
}

/** Runs a tool body, turning expected knowledge-base errors into tool errors. A cancelled call stays a cancellation. */
export async function answer(ctx: ToolContext, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof KnowledgeBaseError)) throw error;
    return {
      content: [{ type: 'text', text: error.message }],
      structuredContent: { error: { kind: error.kind, code: error.code, message: error.message, ...(error.data && { data: error.data }) } },
      isError: true,
    };
  }
}

/**
 * The progress callback of a knowledge-base run, forwarded to the task. Reports are written in
 * order, one at a time; a report that cannot be written is dropped, never fatal to the work.
 */
export function forwardProgress(ctx: ToolContext): {
  signal: AbortSignal;
  onProgress: (current: number, total: number, message: string) => void;
} {
  let last = Promise.resolve();
  return {
    signal: ctx.signal,
    onProgress: (current, total, message) => {
      last = last.then(() => ctx.progress(current, total, message)).catch(() => undefined);
    },
  };
}

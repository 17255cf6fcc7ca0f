/**
 * `tools/call` on 2025-11-25: the client decides with `params.task`. The tool's task mode is
 * enforced with -32601 (spec §tool-level negotiation: MUST for a `required` tool called without a
 * task, SHOULD for a task on a `forbidden` one). The requested ttl is clamped to the server's cap.
 * The call reaches the engine through `call-tool.ts` (or `sync-call.ts` while a synchronous call
 * waits): `server.ts` → this file → those.
 *
 * @module
 */
import { ProtocolError, ProtocolErrorCode, type CallToolRequestParams, type Result } from '@modelcontextprotocol/server';
import { asyncStartedResult } from '../async-tools.js';
import type { ToolCall } from '../era.js';
import { TaskModeError } from '../errors.js';
import { syncOutcome, waitForSyncCall } from '../sync-call.js';
import { createTaskResult } from './wire.js';

/** Answers a 2025-era `tools/call`: a task for `params.task`, else in the request or synchronously. */
export async function callTool({ calls, params, ctx, caller, connection }: ToolCall): Promise<Result> {
  const tool = calls.resolve(params.name);
  const taskParam = (params as { task?: unknown }).task;
  const asTask = taskParam !== undefined && taskParam !== null;
  if (tool.taskMode === 'never') refuseTask(params, tool.name);
  if (!asTask && tool.taskMode === 'required')
    throw new TaskModeError(`Tool ${tool.name} must run as a task (taskSupport: required); call it with params.task`);
  const parsed = await calls.parse(tool, params.arguments);
  if (!parsed.ok) {
    // A task-augmented call must answer with a CreateTaskResult, so bad arguments become a JSON-RPC error there.
    if (asTask)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, String((parsed.result.content[0] as { text?: string } | undefined)?.text));
    return parsed.result;
  }
  if (tool.taskMode === 'never') return calls.runDirect(tool, parsed.args, ctx, caller, true);
  const progressToken = ctx.mcpReq._meta?.progressToken;
  const meta = { tool: tool.name, era: '2025-11-25' } as const;
  if (asTask) {
    const ttl = requestedTtl(taskParam);
    const task = await calls.createTask(
      tool,
      parsed.args,
      {},
      caller,
      { ...meta, ...(progressToken !== undefined && { progressToken }) },
      ttl,
    );
    connection.follow(task, progressToken);
    return createTaskResult(task, tool.name) as Result;
  }
  if (parsed.async) return asyncStartedResult(await calls.createTask(tool, parsed.args, {}, caller, meta), tool);
  const task = await calls.createTask(tool, parsed.args, {}, caller, { ...meta, sync: true });
  return syncOutcome(await waitForSyncCall(calls.engine, task, ctx, caller, 'relay'));
}

/** -32601 for `params.task` on a tool that runs only in the request (taskSupport: forbidden). */
export function refuseTask(params: CallToolRequestParams, toolName: string): void {
  const taskParam = (params as { task?: unknown }).task;
  if (taskParam !== undefined && taskParam !== null)
    throw new TaskModeError(`Tool ${toolName} cannot run as a task (taskSupport: forbidden); call it without params.task`);
}

/** The requested `ttl` when it is a positive number; the cap is applied when the task is created. */
function requestedTtl(taskParam: unknown): number | undefined {
  const ttl = (taskParam as { ttl?: unknown }).ttl;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.ceil(ttl) : undefined;
}

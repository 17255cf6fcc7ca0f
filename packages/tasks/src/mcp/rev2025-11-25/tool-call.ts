/**
 * `tools/call` on 2025-11-25: the client decides with `params.task`. The tool's task mode is
 * enforced with -32601 (spec §tool-level negotiation: MUST for a `required` tool called without a
 * task, SHOULD for a task on a `forbidden` one). The requested ttl is clamped to the server's cap.
 *
 * @module
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  type CallToolRequestParams,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { asyncStartedResult } from '../async-tools.js';
import type { ToolCalls } from '../call-tool.js';
import { runSync } from '../sync-call.js';
import { TaskModeError } from '../errors.js';
import type { Caller } from '../model.js';
import type { LegacySession } from './session.js';
import { createTaskResult } from './wire.js';

export interface LegacyCallOptions {
  /** Where status and progress notifications go, when the connection has a session. */
  session: LegacySession | null;
}

/** Answers a 2025-era `tools/call`: a task for `params.task`, else in the request or synchronously. */
export async function callTool(
  calls: ToolCalls,
  params: CallToolRequestParams,
  ctx: ServerContext,
  caller: Caller,
  options: LegacyCallOptions,
): Promise<Result> {
  const tool = calls.resolve(params.name, caller);
  const taskParam = (params as { task?: unknown }).task;
  const asTask = taskParam !== undefined && taskParam !== null;
  if (asTask && tool.taskMode === 'never')
    throw new TaskModeError(`Tool ${tool.name} cannot run as a task (taskSupport: forbidden); call it without params.task`);
  if (!asTask && tool.taskMode === 'required')
    throw new TaskModeError(`Tool ${tool.name} must run as a task (taskSupport: required); call it with params.task`);
  const parsed = await calls.parse(tool, params.arguments);
  if (!parsed.ok) {
    // A task-augmented call must answer with a CreateTaskResult, so bad arguments become a JSON-RPC error there.
    if (asTask)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, String((parsed.result.content[0] as { text?: string } | undefined)?.text));
    return parsed.result;
  }
  if (tool.taskMode === 'never') return calls.runDirect(tool, parsed.args, ctx, caller, 'legacy');
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (asTask) {
    const task = await calls.createTask(
      tool,
      parsed.args,
      {},
      caller,
      { tool: tool.name, era: 'legacy', ...(progressToken !== undefined && { progressToken }) },
      requestedTtl(taskParam),
    );
    options.session?.follow(task, progressToken);
    return createTaskResult(task, tool.name) as Result;
  }
  if (parsed.async)
    return asyncStartedResult(await calls.createTask(tool, parsed.args, {}, caller, { tool: tool.name, era: 'legacy' }), tool);
  return runSync(calls, tool, parsed.args, ctx, caller, 'legacy');
}

/** The requested `ttl` when it is a positive number; the cap is applied when the task is created. */
function requestedTtl(taskParam: unknown): number | undefined {
  const ttl = (taskParam as { ttl?: unknown }).ttl;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.ceil(ttl) : undefined;
}

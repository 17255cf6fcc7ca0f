/**
 * `tools/call` on 2026-07-28: the server decides. A client that declares the tasks extension on
 * this request gets a task for every task-capable tool (after any multi-round-trip input the tool
 * gathers before start); one that does not gets a synchronous result, or -32021 for a tool that
 * cannot run without a task. The call reaches the engine through `call-tool.ts` (or `sync-call.ts`
 * and `sync-input.ts` while a synchronous call waits): `server.ts` → this file → those.
 *
 * @module
 */
import { inputRequired, type Result, type ServerContext } from '@modelcontextprotocol/server';
import { isTerminal } from '../../task.js';
import { asyncStartedResult } from '../async-tools.js';
import type { ToolCall } from '../era.js';
import { syncOutcome, waitForSyncCall } from '../sync-call.js';
import type { AnyToolDefinition } from '../tool.js';
import { askForInput, resumeWaitingCall } from './sync-input.js';
import { createTaskResult, declaresTasks, missingTasksExtension } from './wire.js';

/** Answers a 2026-era `tools/call`: a task when the request declares the extension, else a result. */
export async function callTool({ calls, params, ctx, caller }: ToolCall): Promise<Result> {
  const tool = calls.resolve(params.name);
  const withTasks = tool.taskMode !== 'never' && declaresTasks(ctx);
  if (tool.taskMode === 'required' && !withTasks) throw missingTasksExtension();
  const parsed = await calls.parse(tool, params.arguments);
  if (!parsed.ok) return parsed.result;
  if (tool.taskMode === 'never') return calls.runDirect(tool, parsed.args, ctx, caller, false);
  const meta = { tool: tool.name, era: '2026-07-28' } as const;
  if (withTasks) {
    const gathered = gatherBeforeStart(tool, parsed.args, ctx);
    if ('inputRequired' in gathered) return gathered.inputRequired;
    // Durable before visible: `createTask` resolves once the record is stored, so an immediate tasks/get finds it.
    return createTaskResult(await calls.createTask(tool, parsed.args, gathered.answers, caller, meta)) as Result;
  }
  if (parsed.async) return asyncStartedResult(await calls.createTask(tool, parsed.args, {}, caller, meta), tool);
  const task =
    (await resumeWaitingCall(calls.engine, tool, ctx, caller)) ??
    (await calls.createTask(tool, parsed.args, {}, caller, { ...meta, sync: true }));
  const settled = await waitForSyncCall(calls.engine, task, ctx, caller, 'stop');
  return isTerminal(settled.status) ? syncOutcome(settled) : askForInput(calls.engine, settled, ctx, caller);
}

/**
 * The tool's before-start inputs, asked with an `input_required` result until the retried request
 * carries every answer (SEP-2663: finish the multi-round-trip rounds before creating the task).
 */
function gatherBeforeStart(
  tool: AnyToolDefinition,
  args: unknown,
  ctx: ServerContext,
): { answers: Record<string, unknown> } | { inputRequired: Result } {
  const wanted = tool.inputsBeforeStart?.(args) ?? {};
  const got = ctx.mcpReq.inputResponses ?? {};
  const missing = Object.keys(wanted).filter((key) => !(key in got));
  if (missing.length > 0)
    return { inputRequired: inputRequired({ inputRequests: Object.fromEntries(missing.map((key) => [key, wanted[key]!])) }) as Result };
  return { answers: Object.fromEntries(Object.keys(wanted).map((key) => [key, got[key]])) };
}

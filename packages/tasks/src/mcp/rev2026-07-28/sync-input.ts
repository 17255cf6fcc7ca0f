/**
 * Input for a synchronous 2026-07-28 call (SEP-2663 multi-round-trip requests): when the task the
 * call waits for asks for input, the call answers `input_required` with a `requestState` naming
 * that task; the client's retry carries the answers and the same state, so it goes on waiting for
 * the same task rather than starting the work again.
 *
 * @module
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { TaskEngine } from '../../engine/engine.js';
import { outstandingInputKeys, type TaskRecord } from '../../task.js';
import type { Caller, ToolTaskMeta } from '../model.js';
import type { AnyToolDefinition } from '../tool.js';

/**
 * The waiting task a retried call names in `requestState`, with the retry's answers stored; null
 * on a first call. The state comes from the client: it must name the caller's own synchronous call
 * of this tool.
 */
export async function resumeWaitingCall(
  engine: TaskEngine,
  tool: AnyToolDefinition,
  ctx: ServerContext,
  caller: Caller,
): Promise<TaskRecord | null> {
  const state = ctx.mcpReq.requestState<unknown>();
  if (state === undefined) return null;
  const task = typeof state === 'string' ? await engine.get(state, caller.owner).catch(() => null) : null;
  const meta = task?.meta as Partial<ToolTaskMeta> | undefined;
  if (!task || meta?.tool !== tool.name || meta.sync !== true)
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'requestState does not name a call of this tool that is waiting for input');
  return (await engine.respond(task.id, caller.owner, ctx.mcpReq.inputResponses ?? {})).task;
}

/**
 * The `input_required` reply for a task waiting for input. A request that lacks a capability the
 * input needs could never answer: the task is cancelled now (rather than left waiting until its
 * TTL) and the call is -32021.
 */
export async function askForInput(engine: TaskEngine, task: TaskRecord, ctx: ServerContext, caller: Caller): Promise<Result> {
  const inputRequests = Object.fromEntries(outstandingInputKeys(task).map((key) => [key, task.inputRequests[key]?.request]));
  const missing = missingCapabilities(Object.values(inputRequests), ctx);
  if (missing) {
    await engine.cancel(task.id, caller.owner, 'The client cannot answer the input request').catch(() => {});
    throw new MissingRequiredClientCapabilityError({ requiredCapabilities: missing });
  }
  return inputRequired({ inputRequests, requestState: task.id } as Parameters<typeof inputRequired>[0]) as Result;
}

/** The request kinds a client must declare to be sent them, by method. */
const CAPABILITY_FOR_METHOD: Record<string, string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** The capabilities this request's envelope lacks for `requests`, or null when it declares them all. */
function missingCapabilities(requests: unknown[], ctx: ServerContext): Record<string, object> | null {
  const declared = ((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] ?? {}) as Record<
    string,
    unknown
  >;
  const missing: Record<string, object> = {};
  for (const request of requests) {
    const capability = CAPABILITY_FOR_METHOD[(request as { method?: string } | undefined)?.method ?? ''];
    if (capability && declared[capability] === undefined) missing[capability] = {};
  }
  return Object.keys(missing).length > 0 ? missing : null;
}

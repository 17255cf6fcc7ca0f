/**
 * A synchronous call of a task-capable tool: a task the request waits for, so the work is durable
 * and cancellable (aborting the request cancels the task), with progress relayed on the request.
 *
 * Input requests from the handler reach the client in the era's own way: on 2025-11-25 as
 * `elicitation/create` requests sent on the call's stream; on 2026-07-28 as a multi-round-trip
 * `input_required` result whose `requestState` names the waiting task, so the retried call answers
 * it and goes on waiting for the same task rather than starting the work again.
 *
 * @module
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { isTerminal, outstandingInputKeys, type TaskRecord } from '../task.js';
import type { ToolCalls } from './call-tool.js';
import type { Caller, ToolTaskMeta } from './model.js';
import { relayInput, relayProgress } from './relay.js';
import type { AnyToolDefinition } from './tool.js';

/** Fallback re-check while waiting, should a change notification be lost. */
const RECHECK_MS = 1_000;

/** Runs a task-capable tool for a call that waits for its result (see the module comment). */
export async function runSync(
  calls: ToolCalls,
  tool: AnyToolDefinition,
  args: unknown,
  ctx: ServerContext,
  caller: Caller,
  era: 'legacy' | 'modern',
): Promise<Result> {
  const { engine } = calls;
  const token = ctx.mcpReq._meta?.progressToken;
  const task =
    (era === 'modern' && (await resumeWaitingCall(engine, tool, ctx, caller))) ||
    (await calls.createTask(tool, args, {}, caller, { tool: tool.name, era, sync: true }));
  const stops = [
    token === undefined
      ? () => {}
      : relayProgress(engine, task.id, caller.owner, (params) =>
          ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, ...params } }),
        ),
    era === 'legacy' ? relayInput(engine, task.id, caller.owner, (_key, request) => ctx.mcpReq.send(request as never)) : () => {},
  ];
  try {
    const settled = await waitUntilSettled(engine, task.id, caller.owner, ctx.mcpReq.signal, era === 'modern');
    if (!isTerminal(settled.status)) {
      const inputRequests = Object.fromEntries(outstandingInputKeys(settled).map((key) => [key, settled.inputRequests[key]?.request]));
      const missing = missingCapabilities(Object.values(inputRequests), ctx);
      if (missing) {
        // The client could never answer: end the task now rather than leave it waiting until its TTL.
        await engine.cancel(settled.id, caller.owner, 'The client cannot answer the input request').catch(() => {});
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities: missing });
      }
      return inputRequired({ inputRequests, requestState: settled.id } as Parameters<typeof inputRequired>[0]) as Result;
    }
    return syncOutcome(settled);
  } catch (error) {
    if (ctx.mcpReq.signal.aborted) await engine.cancel(task.id, caller.owner, 'The request was cancelled').catch(() => {});
    throw error;
  } finally {
    for (const stop of stops) stop();
  }
}

/**
 * The waiting task a retried 2026 call names in `requestState`, with the retry's answers stored.
 * The state comes from the client: it must name the caller's own synchronous call of this tool.
 */
async function resumeWaitingCall(
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

/** The request kinds a 2026 client must declare to be sent them, by method. */
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

/** The task once terminal or (when `stopAtInput`) waiting for input; woken by the change feed. */
function waitUntilSettled(engine: TaskEngine, id: string, owner: string, signal: AbortSignal, stopAtInput: boolean): Promise<TaskRecord> {
  if (!stopAtInput) return engine.waitForTerminal(id, owner, { signal });
  return new Promise<TaskRecord>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      unwatch();
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const check = () =>
      engine.get(id, owner).then(
        (task) => {
          if (isTerminal(task.status) || (task.status === 'input_required' && outstandingInputKeys(task).length > 0))
            finish(() => resolve(task));
        },
        (error: unknown) => finish(() => reject(error)),
      );
    const onAbort = () => finish(() => reject(signal.reason));
    const unwatch = engine.watch({ owner, taskId: id }, () => void check());
    const timer = setInterval(() => void check(), RECHECK_MS);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    else void check();
  });
}

/** What a synchronous call returns for a finished task: the stored result, or the stored error. */
function syncOutcome(task: TaskRecord): CallToolResult {
  if (task.outcome && 'result' in task.outcome) return task.outcome.result as CallToolResult;
  if (task.outcome && 'error' in task.outcome)
    throw new ProtocolError(task.outcome.error.code, task.outcome.error.message, task.outcome.error.data);
  throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Task ${task.id} was ${task.status}: ${task.statusMessage ?? 'no result'}`);
}

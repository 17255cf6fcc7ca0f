/**
 * A synchronous call of a task-capable tool: a task the request waits for, so the work is durable
 * and cancellable (aborting the request cancels the task), with progress relayed on the request.
 *
 * Input requests from the handler reach the client in the era's own way, which the era's
 * `tool-call.ts` chooses: on 2025-11-25 they are sent as `elicitation/create` requests on the
 * call's stream (`relay`); on 2026-07-28 the wait stops there (`stop`) and the era answers with a
 * multi-round-trip `input_required` result.
 *
 * @module
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { isTerminal, outstandingInputKeys, type TaskRecord } from '../task.js';
import type { Caller } from './model.js';
import { relayInput, relayProgress } from './relay.js';

/** Fallback re-check while waiting, should a change notification be lost. */
const RECHECK_MS = 1_000;

/** What the wait does when the handler asks for input: send it on the call (`relay`), or return the waiting task (`stop`). */
export type SyncInput = 'relay' | 'stop';

/**
 * Waits for the task of a synchronous call: until it is terminal or, with `input: 'stop'`, waiting
 * for input. Progress goes to the request's `progressToken`; an aborted request cancels the task.
 */
export async function waitForSyncCall(
  engine: TaskEngine,
  task: TaskRecord,
  ctx: ServerContext,
  caller: Caller,
  input: SyncInput,
): Promise<TaskRecord> {
  const token = ctx.mcpReq._meta?.progressToken;
  const stops = [
    token === undefined
      ? () => {}
      : relayProgress(engine, task.id, caller.owner, (params) =>
          ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, ...params } }),
        ),
    input === 'relay' ? relayInput(engine, task.id, caller.owner, (_key, request) => ctx.mcpReq.send(request as never)) : () => {},
  ];
  try {
    return await waitUntilSettled(engine, task.id, caller.owner, ctx.mcpReq.signal, input === 'stop');
  } catch (error) {
    if (ctx.mcpReq.signal.aborted) await engine.cancel(task.id, caller.owner, 'The request was cancelled').catch(() => {});
    throw error;
  } finally {
    for (const stop of stops) stop();
  }
}

/** What a synchronous call returns for a finished task: the stored result, or the stored error. */
export function syncOutcome(task: TaskRecord): CallToolResult {
  if (task.outcome && 'result' in task.outcome) return task.outcome.result as CallToolResult;
  if (task.outcome && 'error' in task.outcome)
    throw new ProtocolError(task.outcome.error.code, task.outcome.error.message, task.outcome.error.data);
  throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Task ${task.id} was ${task.status}: ${task.statusMessage ?? 'no result'}`);
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

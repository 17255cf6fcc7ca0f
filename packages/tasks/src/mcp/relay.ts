/**
 * Relays a running task's progress and input requests to a live client connection, driven by the
 * engine's change feed (push, not polling). Used wherever a request or session is open while a task
 * runs: synchronous calls, a blocking 2025 `tasks/result`, and 2025 session notifications.
 *
 * @module
 */
import type { TaskEngine } from '../engine/engine.js';
import { isTerminal, outstandingInputKeys, type TaskRecord } from '../task.js';

/** The `notifications/progress` fields besides the token. */
export interface ProgressParams {
  progress: number;
  total?: number;
  message?: string;
}

/** Forwards each progress change of a live task; stops at the terminal status. Returns a stop function. */
export function relayProgress(
  engine: TaskEngine,
  taskId: string,
  owner: string,
  send: (params: ProgressParams) => Promise<void>,
): () => void {
  let last = '';
  return engine.watch({ owner, taskId }, (event) => {
    const progress = event.task?.progress;
    if (event.kind !== 'progress' || !event.task || isTerminal(event.task.status) || !progress) return;
    const params: ProgressParams = {
      progress: progress.current,
      ...(progress.total !== undefined && { total: progress.total }),
      ...(progress.message !== undefined && { message: progress.message }),
    };
    const key = JSON.stringify(params);
    if (key === last) return;
    last = key;
    send(params).catch(() => {});
  });
}

/** Calls `onChange` with the task after each status change, until it is terminal. */
export function relayStatus(engine: TaskEngine, taskId: string, owner: string, onChange: (task: TaskRecord) => void): () => void {
  let stop = () => {};
  stop = engine.watch({ owner, taskId }, (event) => {
    if (event.kind !== 'status' || !event.task) return;
    onChange(event.task);
    if (isTerminal(event.task.status)) stop();
  });
  return () => stop();
}

/**
 * Sends each outstanding input request of the task through `ask`, one at a time per key, and stores
 * the answer with `engine.respond`. A request whose delivery fails is left outstanding for the next
 * relay. Once an answer is stored the key is looked at again: a sensitive request that its handler
 * took (and the engine forgot) may be asked anew under the same key, with no change left to tell.
 */
export function relayInput(
  engine: TaskEngine,
  taskId: string,
  owner: string,
  ask: (key: string, request: unknown) => Promise<unknown>,
): () => void {
  const asking = new Set<string>();
  let stopped = false;
  const deliver = async () => {
    const task = await engine.get(taskId, owner).catch(() => null);
    if (!task || stopped || isTerminal(task.status)) return;
    for (const key of outstandingInputKeys(task)) {
      if (asking.has(key)) continue;
      asking.add(key);
      ask(key, task.inputRequests[key]?.request)
        .then(
          async (answer) => {
            await engine.respond(taskId, owner, { [key]: answer });
            asking.delete(key);
            void deliver();
          },
          () => asking.delete(key),
        )
        .catch(() => {});
    }
  };
  const unwatch = engine.watch({ owner, taskId }, (event) => {
    if (event.kind === 'input' || event.kind === 'status') void deliver();
  });
  void deliver();
  return () => {
    stopped = true;
    unwatch();
  };
}

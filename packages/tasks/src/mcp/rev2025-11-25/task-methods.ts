/**
 * `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` of spec 2025-11-25.
 *
 * `tasks/result` blocks until the task is terminal, woken by the engine's change feed, and while it
 * waits it is the side channel (spec §input_required): the handler's stored input requests go to the
 * client as `elicitation/create` requests on this response stream, tagged with the related task, and
 * the answers are stored with `engine.respond`. Registered with explicit schemas because SDK v2
 * keeps the 2025 task methods out of its typed method maps (typescript-sdk#2055).
 *
 * @module
 */
import type { Server } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { TaskMethodsContext } from '../era.js';
import { relayInput } from '../relay.js';
import { relatedRequest, resultPayload, taskFields } from './wire.js';

const TaskIdParams = z.looseObject({ taskId: z.string() });
const ListParams = z.looseObject({ cursor: z.string().optional() });
const AnyResult = z.looseObject({});

/** How long the client has to answer one input request before it is offered again on the next `tasks/result`. */
const INPUT_REQUEST_TIMEOUT_MS = 10 * 60_000;

/** Registers the 2025 task methods on one `Server`; `tasks/list` only where owners are identified. */
export function registerTaskMethods(server: Server, { engine, serving, callerOf, guard, listPageSize }: TaskMethodsContext): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => taskFields(await engine.get(params.taskId, callerOf(ctx).owner))),
  );

  server.setRequestHandler('tasks/result', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => {
      const { owner } = callerOf(ctx);
      await engine.get(params.taskId, owner);
      const stopRelay = relayInput(engine, params.taskId, owner, (_key, request) =>
        ctx.mcpReq.send(relatedRequest(request, params.taskId) as never, { timeout: INPUT_REQUEST_TIMEOUT_MS }),
      );
      try {
        return resultPayload(await engine.waitForTerminal(params.taskId, owner, { signal: ctx.mcpReq.signal }));
      } finally {
        stopRelay();
      }
    }),
  );

  if (serving.bound) {
    server.setRequestHandler('tasks/list', { params: ListParams, result: AnyResult }, (params, ctx) =>
      guard(ctx, async () => {
        const page = await engine.list({
          owner: callerOf(ctx).owner,
          limit: listPageSize,
          ...(params.cursor !== undefined && { cursor: params.cursor }),
        });
        return { tasks: page.tasks.map(taskFields), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
      }),
    );
  }

  // The engine writes `cancelled` (and aborts the running handler) before this replies; a terminal task is -32602.
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => taskFields(await engine.cancel(params.taskId, callerOf(ctx).owner, 'Cancelled by the client'))),
  );
}

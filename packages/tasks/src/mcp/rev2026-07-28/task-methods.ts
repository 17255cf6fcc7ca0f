/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` of the 2026-07-28 extension. Each gates on this
 * request's declared capability first (-32021), then loads the caller's task (-32602). `tasks/result`
 * and `tasks/list` do not exist in this era: the SDK's era registry answers them -32601.
 *
 * The explicit-schema registration form is what makes these reachable on the 2026-07-28 era (SDK 2.3.0+
 * exempts `tasks/get` and `tasks/cancel` from the era gate only for schema-registered handlers).
 *
 * @module
 */
import type { Server } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { TaskTerminalError } from '../../errors.js';
import type { TaskMethodsContext } from '../era.js';
import { detailedTask, requireTasksExtension } from './wire.js';

const TaskIdParams = z.looseObject({ taskId: z.string() });
const AnyResult = z.looseObject({});

/** Registers the extension's task methods on one `Server`. */
export function registerTaskMethods(server: Server, { engine, callerOf, guard }: TaskMethodsContext): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => {
      requireTasksExtension(ctx);
      return detailedTask(await engine.get(params.taskId, callerOf(ctx).owner));
    }),
  );

  // v2 lifts `inputResponses` out of every request's params into ctx.mcpReq.inputResponses.
  // Applied before the ack, so a partial answer is visible to an immediate tasks/get.
  server.setRequestHandler('tasks/update', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => {
      requireTasksExtension(ctx);
      await engine.respond(params.taskId, callerOf(ctx).owner, ctx.mcpReq.inputResponses ?? {});
      return {};
    }),
  );

  // Cooperative and idempotent: cancelling a finished task is acknowledged like any other.
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams, result: AnyResult }, (params, ctx) =>
    guard(ctx, async () => {
      requireTasksExtension(ctx);
      await engine.cancel(params.taskId, callerOf(ctx).owner, 'Cancelled by the client').catch((error: unknown) => {
        if (!(error instanceof TaskTerminalError)) throw error;
      });
      return {};
    }),
  );
}

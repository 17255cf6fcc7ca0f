/**
 * The 2025-11-25 era (core tasks): the client asks for a task with `params.task`, tools advertise
 * `execution.taskSupport`, and a connection with a session (stdio, sessionful HTTP in
 * `http-sessions.ts`) is notified of the tasks it created.
 *
 * @module
 */
import { FOLLOWS_NOTHING, type Era } from '../era.js';
import { SessionNotifications } from './session-notifications.js';
import { registerTaskMethods } from './task-methods.js';
import { callTool, refuseTask } from './tool-call.js';
import { capabilities } from './wire.js';

/** The 2025-11-25 era. */
export const rev2025_11_25: Era = {
  revision: '2025-11-25',
  capabilities: (serving) => capabilities(serving.bound),
  listTool: (listing, taskMode) => ({ ...listing, execution: { taskSupport: taskMode === 'never' ? 'forbidden' : taskMode } }),
  connect: (server, engine, serving) => (serving.session ? new SessionNotifications(server, engine) : FOLLOWS_NOTHING),
  refuseTask,
  callTool,
  registerTaskMethods,
};

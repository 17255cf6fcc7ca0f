/**
 * The 2026-07-28 era (the tasks extension, SEP-2663): stateless, so a connection keeps nothing and
 * the server decides per request whether a call becomes a task. Tools carry no `execution` field.
 *
 * @module
 */
import { FOLLOWS_NOTHING, type Era } from '../era.js';
import { registerTaskMethods } from './task-methods.js';
import { callTool } from './tool-call.js';
import { TASKS_EXTENSION } from './wire.js';

/** The 2026-07-28 era. */
export const rev2026_07_28: Era = {
  revision: '2026-07-28',
  capabilities: () => ({ tools: {}, extensions: { [TASKS_EXTENSION]: {} } }),
  // The server decides per request whether a call runs as a task, so a listing says nothing of it.
  listTool: (listing) => listing,
  // Requests carry everything in their own envelope: nothing to follow between them.
  connect: () => FOLLOWS_NOTHING,
  // `params.task` is not part of this era; a call runs in the request whatever it carries.
  refuseTask: () => {},
  callTool,
  registerTaskMethods,
};

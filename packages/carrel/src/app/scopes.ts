/**
 * The OAuth scopes of Carrel's HTTP face (`carrel serve` with an authorization server): reading the
 * knowledge base and tasks, and changing them. Each tool declares the one it needs (`tools/*.ts`);
 * the task methods and task tools take theirs from `TASK_SCOPES`. Static `--token` holders and the
 * open loopback endpoint hold both. The table is in docs/authentication.md.
 *
 * @module
 */
import type { TaskScopes } from '@carrel/tasks/mcp';

/** Search, read and list the knowledge base; see one's own tasks and their results. */
export const READ_SCOPE = 'carrel:read';
/** Add, change and remove what the knowledge base holds (documents, packs, connectors, ratings); cancel one's own tasks. */
export const WRITE_SCOPE = 'carrel:write';
/** Every scope of the MCP endpoint, in the order the protected resource metadata lists them. */
export const CARREL_SCOPES: readonly string[] = [READ_SCOPE, WRITE_SCOPE];
/**
 * See and steer every owner's tasks on the dashboard, as the CLI's `tasks list --all-owners` does:
 * for whoever runs the node. The `--token` holder (the local user) holds it; an authorization
 * server grants it to whom it chooses; callers without a token never do. The MCP endpoint never
 * asks for it, so its metadata does not list it (a client asks for every scope listed there).
 */
export const OPERATOR_SCOPE = 'carrel:operator';
/** What the task methods (`tasks/*`) and task tools (`get_task`, `list_tasks`, `cancel_task`) require. */
export const TASK_SCOPES: TaskScopes = { read: [READ_SCOPE], write: [WRITE_SCOPE] };

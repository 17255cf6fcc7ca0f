/**
 * Who is asking: the principal a dashboard request acts as, taken from the route context the MCP
 * server hands its routes (`@carrel/tasks/mcp/http`), which judges tokens exactly as `/mcp` does.
 *
 * @module
 */
import type { HttpRouteContext } from '@carrel/tasks/mcp/http';
import { OPERATOR_SCOPE, WRITE_SCOPE } from '../app/scopes.js';

export type { HttpRouteContext } from '@carrel/tasks/mcp/http';

/** An authenticated caller: who it is, the task owner it acts as, what it may do, and until when. */
export interface Principal {
  principal: string;
  owner: string;
  scopes: readonly string[];
  /** Epoch ms after which its token is no longer valid (OAuth); absent for a static token. */
  expiresAt?: number;
}

/** The principal of every caller of a server without tokens or OAuth (loopback only). */
export function anonymousPrincipal(context: HttpRouteContext): Principal {
  return { principal: 'anonymous', owner: context.unauthenticatedOwner, scopes: context.unauthenticatedScopes };
}

/** Whether `principal` may act (cancel, retry, sync): it holds `carrel:write`. */
export function canAct(principal: Pick<Principal, 'scopes'>): boolean {
  return principal.scopes.includes(WRITE_SCOPE);
}

/** Whether `principal` sees every owner's tasks (the `carrel:operator` scope: whoever runs the node). */
export function isOperator(principal: Pick<Principal, 'scopes'>): boolean {
  return principal.scopes.includes(OPERATOR_SCOPE);
}

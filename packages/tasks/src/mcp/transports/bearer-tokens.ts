/**
 * Static bearer tokens for the HTTP transport: each token maps to a principal and its scopes.
 * Tokens are kept and looked up by their SHA-256, so a lookup never compares secrets byte by byte.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';

/** A bearer token's identity. */
export interface TokenGrant {
  principal: string;
  /**
   * The task owner this token acts as (default `principal:<principal>`): e.g. the owner a local
   * user's stdio and CLI tasks have, so that the token's holder sees the same tasks over HTTP.
   */
  owner?: string;
  scopes?: readonly string[];
}

/** Where a grant's `owner` travels in the SDK's `AuthInfo.extra`. */
const OWNER = 'carrel/owner';

/** The task owner of an authenticated request: the grant's `owner`, else `principal:<principal>`. */
export function ownerOf(auth: AuthInfo): string {
  const owner = auth.extra?.[OWNER];
  return typeof owner === 'string' ? owner : `principal:${auth.clientId}`;
}

/** The configured tokens, keyed by hash. */
export type TokenTable = ReadonlyMap<string, TokenGrant>;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Indexes `tokens` by hash. */
export function tokenTable(tokens: Record<string, TokenGrant>): TokenTable {
  return new Map(Object.entries(tokens).map(([token, grant]) => [sha256(token), grant]));
}

/** The principal behind the request's bearer token, or a 401 with a Bearer challenge (RFC 6750 §3). */
export function authenticate(request: Request, tokens: TokenTable): AuthInfo | Response {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  const grant = match ? tokens.get(sha256(match[1]!)) : undefined;
  if (!match || !grant) {
    const error = match
      ? 'error="invalid_token", error_description="Unknown bearer token"'
      : 'error="invalid_request", error_description="A bearer token is required"';
    return new Response(JSON.stringify({ error: match ? 'invalid_token' : 'invalid_request' }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer ${error}` },
    });
  }
  return {
    token: match[1]!,
    clientId: grant.principal,
    scopes: [...(grant.scopes ?? [])],
    ...(grant.owner !== undefined && { extra: { [OWNER]: grant.owner } }),
  };
}

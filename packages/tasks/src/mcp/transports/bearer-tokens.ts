/**
 * Static bearer tokens for the HTTP transport: each token maps to a principal and its scopes.
 * Tokens are kept and looked up by their SHA-256, so a lookup never compares secrets byte by byte.
 * `http-auth.ts` decides what a request's token is; OAuth access tokens are `access-tokens.ts`.
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

/** The grant of a static token, if `token` is one. */
export function staticGrant(token: string, tokens: TokenTable): TokenGrant | undefined {
  return tokens.get(sha256(token));
}

/** The SDK's `AuthInfo` for a token's principal, acting as the grant's owner. */
export function principalAuth(token: string, grant: TokenGrant, more: Pick<AuthInfo, 'expiresAt' | 'resource'> = {}): AuthInfo {
  return {
    token,
    clientId: grant.principal,
    scopes: [...(grant.scopes ?? [])],
    ...more,
    ...(grant.owner !== undefined && { extra: { [OWNER]: grant.owner } }),
  };
}

/**
 * Who an HTTP request is, and the answers the MCP authorization spec (2025-11-25) gives when that is
 * not enough: 401 with a `WWW-Authenticate: Bearer` challenge for a missing or invalid token, 403
 * with `error="insufficient_scope"` and the needed `scope` for a token that lacks the scopes of
 * what it asks, both naming the protected resource metadata (RFC 9728) when the endpoint is an
 * OAuth resource server, and that document itself at its well-known paths. A request's token is a
 * static one (`bearer-tokens.ts`) or an OAuth access token (`access-tokens.ts`); both kinds may be
 * configured at once.
 *
 * @module
 */
import {
  getOAuthProtectedResourceMetadataUrl,
  isJSONRPCRequest,
  OAuthError,
  readRequestBody,
  type AuthInfo,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';
import { InsufficientScopeError } from '../errors.js';
import { missingScopes } from '../scopes.js';
import { AccessTokens, IssuerUnavailableError, type OAuthOptions } from './access-tokens.js';
import { principalAuth, staticGrant, tokenTable, type TokenGrant, type TokenTable } from './bearer-tokens.js';

/** The well-known path of RFC 9728's metadata for a resource at the host's root. */
const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Seconds a client is asked to wait when an authorization server cannot be reached. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Why a token does not identify anyone: `invalid_token` (unknown, expired, for another audience, badly
 * signed…), or `issuer_unavailable` (its authorization server cannot be reached now: try again later).
 * `error` is the OAuth error code a challenge names; `message` says what was wrong.
 */
export interface TokenRefusal {
  refused: 'invalid_token' | 'issuer_unavailable';
  error: string;
  message: string;
}

export class HttpAuth {
  readonly #tokens: TokenTable | null;
  readonly #accessTokens: AccessTokens | null;
  /** The protected resource metadata, null without OAuth. */
  readonly #metadata: ReturnType<typeof resourceMetadata> | null;

  constructor(options: { tokens?: Record<string, TokenGrant> | undefined; oauth?: OAuthOptions | undefined; path: string }) {
    this.#tokens = options.tokens ? tokenTable(options.tokens) : null;
    const { oauth } = options;
    this.#accessTokens = oauth ? new AccessTokens(oauth) : null;
    this.#metadata = oauth ? resourceMetadata(oauth, options.path) : null;
  }

  /** Whether requests must carry a token. */
  get required(): boolean {
    return this.#tokens !== null || this.#accessTokens !== null;
  }

  /** Whether `pathname` is one where the protected resource metadata is served. */
  servesMetadata(pathname: string): boolean {
    return this.#metadata?.paths.has(pathname) ?? false;
  }

  /** The protected resource metadata document when `pathname` is one of its paths; otherwise undefined. */
  metadata(pathname: string, method: string): Response | undefined {
    if (!this.#metadata?.paths.has(pathname)) return undefined;
    if (method !== 'GET') {
      return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'GET' } });
    }
    // Public, and read by browser-based clients from other origins.
    return Response.json(this.#metadata.document, { headers: { 'access-control-allow-origin': '*' } });
  }

  /** The request's principal, or the 401 (no or bad token) or 503 (authorization server unreachable) to answer with. */
  async authenticate(request: Request): Promise<AuthInfo | Response> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
    // RFC 6750 §3.1: a request with no credentials gets a challenge without an error code.
    if (!match) return this.#challenge(401, { error: 'invalid_request', description: 'A bearer token is required' }, false);
    const verified = await this.verify(match[1]!);
    if (!('refused' in verified)) return verified;
    if (verified.refused === 'issuer_unavailable') {
      return Response.json(
        { error: 'temporarily_unavailable', error_description: verified.message },
        { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
      );
    }
    return this.#challenge(401, { error: verified.error, description: verified.message });
  }

  /** A token's principal (a static token's, else an OAuth access token's), or why it is refused. */
  async verify(token: string): Promise<AuthInfo | TokenRefusal> {
    const grant = this.#tokens && staticGrant(token, this.#tokens);
    if (grant) return principalAuth(token, grant);
    if (!this.#accessTokens) return { refused: 'invalid_token', error: 'invalid_token', message: 'Unknown bearer token' };
    try {
      return await this.#accessTokens.verify(token);
    } catch (error) {
      if (error instanceof OAuthError) return { refused: 'invalid_token', error: error.code, message: error.message };
      if (error instanceof IssuerUnavailableError)
        return { refused: 'issuer_unavailable', error: 'temporarily_unavailable', message: error.message };
      throw error;
    }
  }

  /**
   * The 403 insufficient_scope challenge when a request in the body needs scopes the token lacks
   * (MCP authorization spec, scope challenge handling); undefined to let the request through. A
   * body that is too large or not JSON is left to the endpoint, which answers it as such.
   */
  async scopeChallenge(
    request: Request,
    auth: AuthInfo,
    required: (request: JSONRPCRequest) => readonly string[],
    maxRequestBodySize: number,
  ): Promise<Response | undefined> {
    if (request.method !== 'POST') return undefined;
    const body = await readRequestBody(request.clone(), maxRequestBodySize);
    if (body.tooLarge) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return undefined;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!isJSONRPCRequest(message)) continue;
      const needed = required(message);
      const missing = missingScopes(needed, auth.scopes);
      if (missing.length === 0) continue;
      const operation = message.method === 'tools/call' ? String((message.params as { name?: unknown } | undefined)?.name) : message.method;
      // The scopes already held as well as the missing ones, so that re-authorizing for this one does not drop the others.
      const scope = [...new Set([...auth.scopes, ...needed])].join(' ');
      return this.#challenge(403, {
        error: 'insufficient_scope',
        description: new InsufficientScopeError(operation, missing).message,
        scope,
      });
    }
    return undefined;
  }

  #challenge(status: 401 | 403, problem: { error: string; description: string; scope?: string }, withError = true): Response {
    const params = [
      ...(withError ? [`error="${quoted(problem.error)}"`, `error_description="${quoted(problem.description)}"`] : []),
      ...(problem.scope !== undefined ? [`scope="${quoted(problem.scope)}"`] : []),
      ...(this.#metadata ? [`resource_metadata="${quoted(this.#metadata.url)}"`] : []),
    ];
    return Response.json(
      { error: problem.error, error_description: problem.description },
      { status, headers: { 'www-authenticate': params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer' } },
    );
  }
}

/** RFC 9728's document for the resource, its URL (named in challenges), and the paths it is served at. */
function resourceMetadata(oauth: OAuthOptions, endpointPath: string) {
  const url = getOAuthProtectedResourceMetadataUrl(new URL(oauth.audience));
  return {
    document: {
      resource: oauth.audience,
      authorization_servers: [...oauth.issuers],
      ...(oauth.scopesSupported && { scopes_supported: [...oauth.scopesSupported] }),
      bearer_methods_supported: ['header'],
      ...(oauth.resourceName !== undefined && { resource_name: oauth.resourceName }),
    },
    url,
    // The audience's own path (what clients derive from the resource URI), the endpoint's, and the root form.
    paths: new Set([new URL(url).pathname, `${METADATA_PATH}${endpointPath}`, METADATA_PATH]),
  };
}

/** A value for an RFC 6750 quoted string, whose grammar has no `"` or `\` (and no controls). */
function quoted(value: string): string {
  return value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, ' ');
}

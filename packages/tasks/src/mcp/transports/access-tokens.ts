/**
 * OAuth 2.1 access tokens for the HTTP transport, which is then a resource server as the MCP
 * authorization spec describes: JWT access tokens (RFC 9068) from configured authorization servers,
 * verified with `jose` against each issuer's JWKS — signature, `iss`, `aud` (this resource's
 * canonical URI, RFC 8707), `exp` and `nbf` within a small clock skew. The token's `sub`, qualified
 * by its issuer, is the principal and the task owner, so one user is one owner on every node and
 * two issuers' subjects never meet.
 *
 * An issuer's metadata (RFC 8414, else OpenID Connect discovery) is fetched when the first token
 * from it arrives, not at start-up: an authorization server that is down when the server starts
 * makes token requests answer 503 until it is back, and nothing else. A failed discovery is
 * forgotten, so the next token tries again; concurrent tokens share one discovery. Keys are
 * cached by `jose`; a token signed with a key id the cache lacks (a rotation) refetches the JWKS,
 * at most once per cooldown, so tokens with made-up key ids cannot make the server hammer the
 * authorization server. A key removed from the JWKS stops verifying once the JWKS is refetched.
 *
 * @module
 */
import { OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { principalAuth } from './bearer-tokens.js';

/** Carrel as an OAuth resource server. */
export interface OAuthOptions {
  /** Issuer identifiers of the authorization servers whose tokens are accepted. */
  issuers: readonly string[];
  /** This resource's canonical URI (RFC 8707), e.g. `https://carrel.example.com/mcp`: tokens must carry it in `aud`. */
  audience: string;
  /** Scopes advertised in the protected resource metadata (RFC 9728). */
  scopesSupported?: readonly string[];
  /** A human-readable name for the metadata document. */
  resourceName?: string;
  /** Clock difference tolerated on `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockSkewSeconds?: number;
  /** The least time between two JWKS fetches caused by unknown key ids, in milliseconds (default 30 s). */
  jwksCooldownMs?: number;
  /** Time allowed for one metadata or JWKS fetch, in milliseconds (default 5 s). */
  fetchTimeoutMs?: number;
}

/** The engine's limit on an owner's length. */
const MAX_OWNER_LENGTH = 256;

/** Only asymmetric signatures: the keys come from a published JWKS, and `none` is never a signature. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** An issuer's metadata or keys could not be fetched: the token cannot be judged now (503), which is not the token's fault. */
export class IssuerUnavailableError extends Error {
  constructor(
    readonly issuer: string,
    cause: unknown,
  ) {
    super(`The authorization server ${issuer} cannot be reached to verify the token; try again shortly`, { cause });
    this.name = 'IssuerUnavailableError';
  }
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** One trusted authorization server: its keys, found through its metadata on first use. */
class Issuer {
  #keys: Promise<KeySet> | undefined;

  constructor(
    readonly id: string,
    private readonly options: { jwksCooldownMs: number; fetchTimeoutMs: number },
  ) {}

  keys(): Promise<KeySet> {
    this.#keys ??= this.#discover().catch((error: unknown) => {
      this.#keys = undefined;
      throw new IssuerUnavailableError(this.id, error);
    });
    return this.#keys;
  }

  async #discover(): Promise<KeySet> {
    for (const url of metadataUrls(this.id)) {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs), redirect: 'error' });
      if (response.status === 404) continue;
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata naming another issuer must not be used (it could hand out another server's keys).
      if (metadata.issuer !== this.id) throw new Error(`${url} names the issuer ${String(metadata.issuer)}, not ${this.id}`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
      return createRemoteJWKSet(new URL(metadata.jwks_uri), {
        cooldownDuration: this.options.jwksCooldownMs,
        timeoutDuration: this.options.fetchTimeoutMs,
      });
    }
    throw new Error(`${this.id} publishes no authorization server metadata`);
  }
}

/** Where an issuer's metadata is: RFC 8414's well-known URI (path after it), then OpenID Connect's (path before it). */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

/** Verifies JWT access tokens from the configured issuers. */
export class AccessTokens {
  readonly #issuers: ReadonlyMap<string, Issuer>;
  readonly #audience: string;
  readonly #clockTolerance: number;

  constructor(options: OAuthOptions) {
    const tuning = { jwksCooldownMs: options.jwksCooldownMs ?? 30_000, fetchTimeoutMs: options.fetchTimeoutMs ?? 5_000 };
    this.#issuers = new Map(options.issuers.map((id) => [id, new Issuer(id, tuning)]));
    this.#audience = options.audience;
    this.#clockTolerance = options.clockSkewSeconds ?? 30;
  }

  /**
   * The token's principal, owner and scopes. Throws an `OAuthError` (invalid_token) for a token that
   * is not valid here, and `IssuerUnavailableError` when its issuer's keys cannot be fetched.
   */
  async verify(token: string): Promise<AuthInfo> {
    const issuer = this.#issuers.get(unverifiedIssuer(token));
    if (!issuer) throw invalid('The token was not issued by an authorization server this resource trusts');
    const keys = await issuer.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuer.id,
        audience: this.#audience,
        clockTolerance: this.#clockTolerance,
        requiredClaims: ['exp', 'sub'],
        algorithms: ALGORITHMS,
      }));
    } catch (error) {
      throw rejection(error, issuer.id);
    }
    const subject = `${issuer.id}#${payload.sub!}`;
    // An issuer identifier has no fragment (RFC 8414 §2), so `#` cannot be part of it: owners of two issuers never collide.
    const owner = `oauth:${subject}`;
    if (owner.length > MAX_OWNER_LENGTH) throw invalid(`The token's issuer and subject together exceed ${MAX_OWNER_LENGTH} characters`);
    return principalAuth(
      token,
      { principal: subject, owner, scopes: scopesOf(payload) },
      {
        expiresAt: payload.exp!,
        resource: new URL(this.#audience),
      },
    );
  }
}

/** The `iss` claim before verification, to pick the keys to verify with (the signature then vouches for it). */
function unverifiedIssuer(token: string): string {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw invalid('The token is not a JWT access token');
  }
  return typeof iss === 'string' ? iss : '';
}

/** RFC 9068's space-separated `scope`, or the `scp` array some authorization servers issue instead. */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  const scp = payload.scp;
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  return typeof scp === 'string' ? scp.split(' ').filter(Boolean) : [];
}

/** A `jose` failure: the token's fault (invalid_token), or the keys could not be fetched (the issuer's). */
function rejection(error: unknown, issuer: string): Error {
  if (error instanceof errors.JWTExpired) return invalid('The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalid('The token was not issued for this resource (aud)');
    if (error.claim === 'nbf') return invalid('The token is not valid yet (nbf)');
    return invalid(`The token's ${error.claim} claim is not acceptable: ${error.reason}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('The token is signed with a key its issuer does not publish');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("The token's signature does not verify");
  // Fetching the JWKS failed: a timeout, a network error, or an answer other than a JWKS.
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC')
    return new IssuerUnavailableError(issuer, error);
  return invalid(`The token is not a valid JWT access token (${error.code})`);
}

function invalid(description: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, description);
}

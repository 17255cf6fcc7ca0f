/**
 * A real OAuth 2.1 authorization server on 127.0.0.1 for the resource-server tests: `oidc-provider`
 * with the client credentials grant and resource indicators (RFC 8707), issuing JWT access tokens
 * whose `sub` is the client id and whose `aud` is the requested resource. The test holds the signing
 * key, so it can also sign tokens the server would never issue (an expired one), and can rotate the
 * key: the provider is rebuilt with a new key and the old one is gone from the JWKS, as when an
 * operator revokes a key. JWKS fetches are counted, to see key-refetch rate limiting.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const SCOPES = ['carrel:read', 'carrel:write'];

export interface AuthorizationServer {
  issuer: string;
  port: number;
  /** An access token for `client` (its `sub`), for `resource`, with `scope` (space-separated). */
  token(client: string, options: { resource: string; scope: string }): Promise<string>;
  /** A token signed with the current key and carrying exactly these claims. */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** Replaces the signing key: tokens signed before are signed by a key the JWKS no longer has. */
  rotateKey(): Promise<void>;
  /** How many times the JWKS was fetched. */
  readonly jwksFetches: number;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

let keyCounter = 0;

async function signingKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${++keyCounter}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Starts the authorization server on `port` (default: any free port) with these clients (secret: `<id>-secret`). */
export async function startAuthorizationServer(options: { clients: string[]; port?: number }): Promise<AuthorizationServer> {
  let handle: ReturnType<Provider['callback']> | undefined;
  let jwksFetches = 0;
  const http: Server = createServer((req, res) => {
    if (req.url === '/jwks') jwksFetches++;
    void handle!(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  let key = await signingKey();

  const build = (current: SigningKey) => {
    const provider = new Provider(issuer, {
      clients: options.clients.map((id) => ({
        client_id: id,
        client_secret: `${id}-secret`,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      jwks: { keys: [current.jwk] },
      scopes: SCOPES,
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined as unknown as string,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: SCOPES.join(' '),
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
            jwt: { sign: { alg: 'RS256' } },
          }),
          useGrantedResource: () => true,
        },
      },
      ttl: { ClientCredentials: 300 },
    });
    handle = provider.callback();
  };
  build(key);

  return {
    issuer,
    port,
    get jwksFetches() {
      return jwksFetches;
    },
    async token(client, { resource, scope }) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client}:${client}-secret`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey),
    async rotateKey() {
      key = await signingKey();
      build(key);
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (it was free a moment ago): where an authorization server will start later. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The SDK's low-level `Server` with two checks in front of every request handler. Its
 * request-validation failures are answered as what they are: -32602 naming the bad field, not -32603
 * with a raw zod dump (typescript-sdk#2284). And a request whose operation needs scopes the caller
 * lacks (`scopes.ts`) is refused before its handler runs. Both intercept at `_wrapHandler`, the
 * SDK's hook for subclasses to wrap every registered request handler, so the handlers the SDK
 * registers itself (`initialize`, `logging/setLevel`) are covered too.
 *
 * @module
 */
import { Server, type JSONRPCRequest, type Result, type ServerContext, type ServerOptions } from '@modelcontextprotocol/server';
import { fromSdkValidation, InsufficientScopeError, toProtocolError } from './errors.js';
import { missingScopes } from './scopes.js';

type RequestHandler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** What the server asks of each request before its handler runs. */
export interface ScopeCheck {
  /** The scopes the request needs. */
  required(request: JSONRPCRequest): readonly string[];
  /** The scopes the request's caller holds; null where scopes do not apply (stdio). */
  held(ctx: ServerContext): readonly string[] | null;
}

/** A `Server` whose schema-invalid requests get -32602 with a readable message, and whose scoped operations are refused to callers without the scopes. */
export class CheckedServer extends Server {
  readonly #scopes: ScopeCheck;

  constructor(info: ConstructorParameters<typeof Server>[0], options: ServerOptions, scopes: ScopeCheck) {
    super(info, options);
    this.#scopes = scopes;
  }

  protected override _wrapHandler(method: string, handler: RequestHandler): RequestHandler {
    const wrapped = super._wrapHandler(method, handler);
    return (request, ctx) => {
      const missing = missingScopes(this.#scopes.required(request), this.#scopes.held(ctx));
      if (missing.length > 0) {
        const operation = method === 'tools/call' ? String((request.params as { name?: unknown } | undefined)?.name) : method;
        return Promise.reject(toProtocolError(new InsufficientScopeError(operation, missing), () => {}));
      }
      return wrapped(request, ctx).catch((error: unknown) => Promise.reject(fromSdkValidation(error, method) ?? error));
    };
  }
}

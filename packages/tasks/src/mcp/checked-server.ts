/**
 * The SDK's low-level `Server` with its request-validation failures answered as what they are:
 * -32602 naming the bad field, not -32603 with a raw zod dump (typescript-sdk#2284). It intercepts
 * at `_wrapHandler`, the SDK's hook for subclasses to wrap every registered request handler, so
 * the handlers the SDK registers itself (`initialize`, `logging/setLevel`) are covered too.
 *
 * @module
 */
import { Server, type JSONRPCRequest, type Result, type ServerContext } from '@modelcontextprotocol/server';
import { fromSdkValidation } from './errors.js';

type RequestHandler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** A `Server` whose schema-invalid requests get -32602 with a readable message. */
export class CheckedServer extends Server {
  protected override _wrapHandler(method: string, handler: RequestHandler): RequestHandler {
    const wrapped = super._wrapHandler(method, handler);
    return (request, ctx) => wrapped(request, ctx).catch((error: unknown) => Promise.reject(fromSdkValidation(error, method) ?? error));
  }
}

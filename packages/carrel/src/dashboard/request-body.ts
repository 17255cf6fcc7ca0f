/**
 * The JSON body of an action, checked for shape before anything uses it.
 *
 * @module
 */
import type { Context } from 'hono';
import { ApiError } from './api-error.js';
import type { DashboardEnv } from './guard.js';

/** Largest action body: actions carry a token or a query, never a document. */
const MAX_BODY_BYTES = 64 * 1024;

/** The request's JSON object, if `accepts` it; else 400 naming the expected shape (`expected`). */
export async function readJson(
  c: Context<DashboardEnv>,
  accepts: (body: Record<string, unknown>) => boolean,
  expected: string,
): Promise<Record<string, unknown>> {
  if (!c.req.header('content-type')?.toLowerCase().startsWith('application/json'))
    throw new ApiError(415, 'content_type', 'Send the body as JSON (Content-Type: application/json).');
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ApiError(413, 'too_large', `The body is over ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'bad_request', `The body is not JSON: expected ${expected}.`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !accepts(body as Record<string, unknown>))
    throw new ApiError(400, 'bad_request', `The body is not the expected shape: expected ${expected}.`);
  return body as Record<string, unknown>;
}

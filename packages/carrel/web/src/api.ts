/**
 * Calls to the dashboard's JSON API under /dashboard/api/. Every action carries the session's CSRF
 * token (the browser adds the Origin header itself); an answer of `login_required` turns the page
 * into the login form wherever it came from.
 */
import { signal } from '@preact/signals';
import type { Session } from './types.js';

const BASE = '/dashboard/api';

/** The signed-in session; null before the first answer; 'login' when the server asks for a login. */
export const session = signal<Session | null | 'login'>(null);

/** Why the page could not ask the server who it acts for (the server is down, say). */
export const sessionError = signal<Error | null>(null);

/** An error answer of the API, with the server's code and its sentence for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const current = session.value;
  if (method !== 'GET' && current && current !== 'login') headers['x-carrel-csrf'] = current.csrfToken;
  const response = await fetch(BASE + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'bad_response', `The server answered ${response.status} with something that is not JSON.`);
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } }).error;
    const failure = new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${response.status}.`);
    if (failure.code === 'login_required') session.value = 'login';
    throw failure;
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}): Promise<T> => call<T>('POST', path, body);

/** Builds `path?name=value&…`, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/** Asks who this page acts for; shows the login form when nobody is signed in. */
export async function loadSession(): Promise<void> {
  try {
    session.value = await get<Session>('/session');
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'login_required')) sessionError.value = error as Error;
  }
}

export async function login(token: string): Promise<void> {
  session.value = await call<Session>('POST', '/login', { token });
}

export async function logout(): Promise<void> {
  await post<void>('/logout');
  session.value = 'login';
}

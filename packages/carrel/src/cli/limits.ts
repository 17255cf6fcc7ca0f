/**
 * The operator's settings for the servers (`carrel serve`, and the rate limit of `carrel mcp`):
 * each a flag with a `CARREL_*` environment fallback, checked here so that a bad value is a usage
 * error naming the flag (or variable) and the accepted range, before anything listens. Unset
 * settings keep the defaults of the engine and transports.
 *
 * @module
 */
import type { Command } from 'commander';
import type { CreationRateLimit } from '../app/faces.js';
import { CliError, ExitCode } from './errors.js';

/** A bearer token shorter than this is refused: it is a password guessable by anyone who can reach the port. */
export const MIN_TOKEN_LENGTH = 16;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** The MCP server's retention cap when `--max-ttl` is not given. */
const DEFAULT_MAX_TTL_MS = DAY_MS;

/** What `carrel serve` hands the runtime and the HTTP face. */
export interface ServeLimits {
  maxRequestBodySize?: number;
  rateLimit?: CreationRateLimit | null;
  defaultTtlMs?: number;
  maxTtlMs?: number;
  maxLiveTasksPerOwner?: number;
  maxSessions?: number;
  maxSessionsPerPrincipal?: number;
}

/** The options as commander parses them (strings; checked by `serveLimits`). */
export interface LimitFlags {
  maxBody?: string;
  rateLimit?: string;
  rateBurst?: string;
  defaultTtl?: string;
  maxTtl?: string;
  maxLiveTasks?: string;
  maxSessions?: string;
  maxSessionsPerPrincipal?: string;
}

/** Adds `--rate-limit` and `--rate-burst` (both servers). */
export function addRateLimitOptions(command: Command, defaultText: string): Command {
  return command
    .option('--rate-limit <n>', `task creations per minute per owner, 0 for none (env CARREL_RATE_LIMIT; default: ${defaultText})`)
    .option('--rate-burst <n>', 'task creations at once after a quiet period (env CARREL_RATE_BURST; default: the rate limit)');
}

/** Adds the HTTP-only limits to `carrel serve`. */
export function addServeLimitOptions(command: Command): Command {
  return addRateLimitOptions(command, '120 with --token, 1200 without')
    .option('--max-body <bytes>', 'largest request body, 1024-1073741824 (env CARREL_MAX_BODY_BYTES; default 1048576)')
    .option('--default-ttl <duration>', 'retention of a task when the client asks for none, e.g. 30m (env CARREL_DEFAULT_TTL; default 1h)')
    .option('--max-ttl <duration>', 'longest retention a client may ask for, 1m-7d (env CARREL_MAX_TTL; default 24h, 1h without --token)')
    .option('--max-live-tasks <n>', 'unfinished tasks one owner may have, 1-1000000 (env CARREL_MAX_LIVE_TASKS; default 1000)')
    .option('--max-sessions <n>', '2025-11-25 sessions kept at once, 1-1000000 (env CARREL_MAX_SESSIONS; default 1000)')
    .option(
      '--max-sessions-per-principal <n>',
      '2025-11-25 sessions one token holder keeps, 1-1000000 (env CARREL_MAX_SESSIONS_PER_PRINCIPAL; default 100)',
    );
}

/** One setting: the flag's value, else the environment's (an empty variable counts as unset). */
export interface Source {
  /** The flag, or the variable when the value came from the environment. */
  name: string;
  value: string | undefined;
}

export function source(flag: string, env: string, value: string | undefined, environment: NodeJS.ProcessEnv): Source {
  if (value !== undefined) return { name: flag, value };
  return { name: `${env} (${flag})`, value: environment[env] === '' ? undefined : environment[env] };
}

export function usage(s: Source, expected: string): CliError {
  return new CliError(`${s.name} must be ${expected}, not '${s.value}'`, ExitCode.Usage);
}

function wholeNumber(s: Source, min: number, max: number, unit = ''): number | undefined {
  if (s.value === undefined) return undefined;
  const n = /^\d+$/.test(s.value.trim()) ? Number(s.value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usage(s, `a whole number from ${min} to ${max}${unit}`);
  return n;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: MINUTE_MS, h: 60 * MINUTE_MS, d: DAY_MS };

/** A duration such as `90s`, `30m`, `12h`, `7d` (a bare number is seconds), from 1 minute to 7 days. */
function duration(s: Source): number | undefined {
  if (s.value === undefined) return undefined;
  const match = /^(\d+)\s*([smhd]?)$/.exec(s.value.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] || 's']! : NaN;
  if (!Number.isSafeInteger(ms) || ms < MINUTE_MS || ms > 7 * DAY_MS) throw usage(s, 'a duration from 1m to 7d (e.g. 90s, 30m, 12h, 7d)');
  return ms;
}

/** The creation rate limit of `--rate-limit` and `--rate-burst`: undefined when unset, null for `0` (none). */
export function rateLimit(flags: Pick<LimitFlags, 'rateLimit' | 'rateBurst'>, env: NodeJS.ProcessEnv = process.env) {
  const rate = source('--rate-limit', 'CARREL_RATE_LIMIT', flags.rateLimit, env);
  const burst = source('--rate-burst', 'CARREL_RATE_BURST', flags.rateBurst, env);
  const perMinute = wholeNumber(rate, 0, 1_000_000, ' task creations a minute (0: no limit)');
  const burstSize = wholeNumber(burst, 1, 1_000_000);
  if (burstSize !== undefined && !perMinute)
    throw new CliError('--rate-burst needs a --rate-limit above 0 (or CARREL_RATE_LIMIT) to refill it', ExitCode.Usage);
  if (perMinute === undefined) return undefined;
  if (perMinute === 0) return null;
  return { perMinute, ...(burstSize !== undefined && { burst: burstSize }) } satisfies CreationRateLimit;
}

/** Checks every serve limit; throws a usage error naming the first bad one. */
export function serveLimits(flags: LimitFlags, env: NodeJS.ProcessEnv = process.env): ServeLimits {
  const limit = rateLimit(flags, env);
  const maxRequestBodySize = wholeNumber(source('--max-body', 'CARREL_MAX_BODY_BYTES', flags.maxBody, env), 1024, 1024 ** 3, ' bytes');
  const defaultTtlMs = duration(source('--default-ttl', 'CARREL_DEFAULT_TTL', flags.defaultTtl, env));
  const maxTtlMs = duration(source('--max-ttl', 'CARREL_MAX_TTL', flags.maxTtl, env));
  if (defaultTtlMs !== undefined && defaultTtlMs > (maxTtlMs ?? DEFAULT_MAX_TTL_MS))
    throw new CliError(
      `--default-ttl must not be longer than --max-ttl${maxTtlMs === undefined ? ' (24h unless set)' : ''}`,
      ExitCode.Usage,
    );
  const live = wholeNumber(source('--max-live-tasks', 'CARREL_MAX_LIVE_TASKS', flags.maxLiveTasks, env), 1, 1_000_000);
  const sessions = wholeNumber(source('--max-sessions', 'CARREL_MAX_SESSIONS', flags.maxSessions, env), 1, 1_000_000);
  const perPrincipal = wholeNumber(
    source('--max-sessions-per-principal', 'CARREL_MAX_SESSIONS_PER_PRINCIPAL', flags.maxSessionsPerPrincipal, env),
    1,
    1_000_000,
  );
  return {
    ...(limit !== undefined && { rateLimit: limit }),
    ...(maxRequestBodySize !== undefined && { maxRequestBodySize }),
    ...(defaultTtlMs !== undefined && { defaultTtlMs }),
    ...(maxTtlMs !== undefined && { maxTtlMs }),
    ...(live !== undefined && { maxLiveTasksPerOwner: live }),
    ...(sessions !== undefined && { maxSessions: sessions }),
    ...(perPrincipal !== undefined && { maxSessionsPerPrincipal: perPrincipal }),
  };
}

/**
 * The bearer token of `--token`, else `CARREL_TOKEN`; undefined when neither is given (an open
 * endpoint on loopback). A token that is given but empty, blank, short or has white space in it
 * is refused: it would look like protection and give none (or could never be sent as a bearer).
 */
export function bearerToken(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = flag !== undefined ? '--token' : 'CARREL_TOKEN';
  const token = flag ?? env.CARREL_TOKEN;
  if (token === undefined) return undefined;
  const unset = flag !== undefined ? 'leave out --token' : 'unset CARREL_TOKEN';
  if (token.trim() === '')
    throw new CliError(
      `${name} is ${token === '' ? 'empty' : 'blank'}: give a token of at least ${MIN_TOKEN_LENGTH} characters, or ${unset} to serve without one on loopback`,
      ExitCode.Usage,
    );
  if (/\s/.test(token)) throw new CliError(`${name} contains white space, which a bearer token cannot carry`, ExitCode.Usage);
  if (token.length < MIN_TOKEN_LENGTH)
    throw new CliError(
      `${name} is ${token.length} characters: use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`,
      ExitCode.Usage,
    );
  return token;
}

/**
 * `carrel serve --oauth-issuer <url> --oauth-audience <uri>`: the HTTP face as an OAuth 2.1 resource
 * server (see docs/authentication.md). Checked here so that a bad value is a usage error naming the
 * flag (or variable) before anything listens. Whether the issuer answers is not checked: it may be
 * down while Carrel starts, and tokens are answered 503 until it is back.
 *
 * @module
 */
import type { Command } from 'commander';
import { CliError, ExitCode } from './errors.js';
import { source, usage, type Source } from './limits.js';

/** The options as commander parses them. */
export interface OAuthFlags {
  oauthIssuer?: string[];
  oauthAudience?: string;
}

/** Adds `--oauth-issuer` (repeatable) and `--oauth-audience`. */
export function addOAuthOptions(command: Command): Command {
  return command
    .option(
      '--oauth-issuer <url>',
      'accept OAuth access tokens from this authorization server (its issuer URL); repeat for several (env CARREL_OAUTH_ISSUER, space-separated)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--oauth-audience <uri>',
      "this server's canonical URI, which tokens must name as their audience, e.g. https://carrel.example.com/mcp (env CARREL_OAUTH_AUDIENCE)",
    );
}

/** The resource server settings, or undefined when no issuer is given; throws a usage error naming a bad one. */
export function oauthSettings(
  flags: OAuthFlags,
  env: NodeJS.ProcessEnv = process.env,
): { issuers: string[]; audience: string } | undefined {
  const issuerSource = source('--oauth-issuer', 'CARREL_OAUTH_ISSUER', flags.oauthIssuer?.join(' '), env);
  const audience = source('--oauth-audience', 'CARREL_OAUTH_AUDIENCE', flags.oauthAudience, env);
  const issuers = issuerSource.value?.split(/\s+/).filter(Boolean) ?? [];
  if (issuers.length === 0) {
    if (audience.value !== undefined)
      throw new CliError(
        `${audience.name} needs --oauth-issuer (or CARREL_OAUTH_ISSUER): the authorization server whose tokens to accept`,
        ExitCode.Usage,
      );
    return undefined;
  }
  if (audience.value === undefined)
    throw new CliError(
      "--oauth-issuer needs --oauth-audience (or CARREL_OAUTH_AUDIENCE): this server's canonical URI, which tokens must be issued for",
      ExitCode.Usage,
    );
  for (const issuer of issuers) checkedUrl({ name: issuerSource.name, value: issuer }, 'issuer');
  checkedUrl(audience, 'audience');
  return { issuers, audience: audience.value };
}

/**
 * An issuer identifier (RFC 8414 §2) or resource URI (RFC 8707 §2): absolute, https (http only on
 * loopback, for trying things out), no fragment; an issuer has no query either.
 */
function checkedUrl(s: Source, kind: 'issuer' | 'audience'): void {
  let url: URL;
  try {
    url = new URL(s.value!);
  } catch {
    throw usage(s, `an absolute URL (e.g. https://${kind === 'issuer' ? 'auth.example.com' : 'carrel.example.com/mcp'})`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw usage(s, 'an https URL (http only on localhost)');
  if (url.hash !== '' || s.value!.includes('#')) throw usage(s, 'a URL without a fragment (#…)');
  if (kind === 'issuer' && url.search !== '') throw usage(s, 'an issuer URL without a query (?…)');
}

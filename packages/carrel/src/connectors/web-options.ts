/**
 * The web connector's options, validated with zod; a bad option is refused with an error that
 * names it and says what it takes.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
});

// The same bounds as index_document's globs.
const globs = z.array(z.string().min(1).max(1000)).max(100).default([]);

/** The options schema (defaults applied by parsing). */
export const webOptionsSchema = z.strictObject({
  /** Where the crawl starts; its origin is the site. */
  url: httpUrl,
  /** Only URLs whose path starts with this are crawled (default: the whole origin). */
  pathPrefix: z.string().startsWith('/').optional(),
  /** Globs over the URL path (`docs/**`); when any are given, a page must match one. */
  include: globs,
  /** Globs over the URL path; a page that matches one is neither fetched nor indexed. */
  exclude: globs,
  /** Link hops followed from a root (the start URL, a page a sitemap or llms.txt lists, a page the library holds). */
  maxDepth: z.int().min(0).max(100).default(10),
  /** Page requests per sync; a crawl cut by it is incomplete. */
  maxPages: z.int().min(1).max(1_000_000).default(10_000),
  /** Milliseconds between requests; robots.txt's Crawl-delay wins when larger. */
  delayMs: z.int().min(0).max(60_000).default(500),
  /** Distinct URLs one trap pattern may have before it is no longer followed (see web-trap.ts). */
  maxUrlsPerPattern: z.int().min(1).default(100),
  /** Lets the crawl reach loopback and private addresses (an intranet site, a test), where the server's fetch limits allow it too. */
  allowPrivateAddresses: z.boolean().default(false),
});

/** Options as a caller writes them. */
export type WebConnectorInput = z.input<typeof webOptionsSchema>;
/** Options with defaults applied. */
export type WebConnectorOptions = z.output<typeof webOptionsSchema>;

const EXPECTED: Record<keyof WebConnectorOptions, string> = {
  url: 'an http(s) URL to start the crawl at',
  pathPrefix: 'a URL path starting with "/"',
  include: 'at most 100 path globs of 1 to 1000 characters',
  exclude: 'at most 100 path globs of 1 to 1000 characters',
  maxDepth: 'an integer from 0 to 100',
  maxPages: 'an integer from 1 to 1000000',
  delayMs: 'an integer number of milliseconds from 0 to 60000',
  maxUrlsPerPattern: 'an integer of at least 1',
  allowPrivateAddresses: 'true or false',
};

/** Parses `input`; throws InvalidInputError naming the first bad option. */
export function parseWebOptions(input: unknown): WebConnectorOptions {
  const parsed = webOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys')
    throw new InvalidInputError(`web connector option ${issue.keys.join(', ')}`, `one of ${Object.keys(EXPECTED).join(', ')}`);
  const name = issue.path[0];
  if (typeof name === 'string' && name in EXPECTED)
    throw new InvalidInputError(`web connector option ${name}`, EXPECTED[name as keyof WebConnectorOptions]);
  throw new InvalidInputError('web connector options', `an object with a url (${issue.message})`);
}

/**
 * The private-address guard for URL fetches. A host is checked on every resolved address at
 * connect time (the `lookup` hook of node:http), so DNS rebinding between a check and the
 * connection, or a redirect to an internal host, cannot slip through.
 *
 * @module
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { AddressBlockedError } from '../errors.js';

/** True for globally routable unicast addresses; false for loopback, private, link-local, CGNAT, multicast, etc. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** Throws AddressBlockedError when `host` is an IP literal that is not public. */
export function checkLiteralHost(host: string): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare) && !isPublicAddress(bare)) throw new AddressBlockedError(host, bare);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that resolves every address and refuses the connection if any is not public. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) return callback(new AddressBlockedError(hostname, blocked.address) as unknown as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

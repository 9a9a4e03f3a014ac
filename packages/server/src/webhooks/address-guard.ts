import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Server-side request forgery guard for webhook URLs: an endpoint may not point the server at
 * itself, its network or a cloud metadata service. Checked at create (the URL's host as it
 * resolves then) and at every delivery on the address actually connected to (`guardedLookup`),
 * so a name that later resolves elsewhere (DNS rebinding) is refused too.
 */
// IPv4 subnets also match their IPv4-mapped IPv6 forms (::ffff:127.0.0.1, ::ffff:7f00:1): BlockList compares them so.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, 169.254.169.254 metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64 of any IPv4 address
  ['fc00::', 7], // unique local, fd00:ec2::254 metadata
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IP literal) is one a webhook may not be sent to. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** What a URL's check found wrong, said for the `url` field; null: acceptable. */
export type UrlProblem = string | null;

/** The rules a webhook URL is held to. */
export interface UrlRules {
  allowHttp: boolean;
  allowPrivate: boolean;
}

/** The host of a URL as an IP literal would be written bare (`[::1]` → `::1`). */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Checks a URL's form (scheme, no credentials) without resolving it. */
export function urlFormProblem(raw: string, rules: UrlRules): UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:')) {
    return rules.allowHttp ? 'must be an https:// or http:// URL' : 'must be an https:// URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.hash !== '') return 'must not have a fragment';
  return null;
}

/** Every address `host` resolves to (the literal itself for an IP). */
async function resolveAll(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => (error ? reject(error) : resolve(addresses.map((a) => a.address)))),
  );
}

/** Checks a URL's form and, unless private addresses are allowed, every address its host resolves to now. */
export async function urlProblem(raw: string, rules: UrlRules): Promise<UrlProblem> {
  const form = urlFormProblem(raw, rules);
  if (form !== null || rules.allowPrivate) return form;
  let addresses: string[];
  try {
    addresses = await resolveAll(bareHost(new URL(raw)));
  } catch {
    return 'its host does not resolve';
  }
  if (addresses.length === 0) return 'its host does not resolve';
  return addresses.some(isForbiddenAddress) ? 'must not point to a loopback, private, link-local or metadata address' : null;
}

/** Thrown by `guardedLookup` for a forbidden address, so the delivery's error says why. */
export class ForbiddenAddressError extends Error {
  constructor(address: string) {
    super(`refused: resolves to the forbidden address ${address}`);
    this.name = 'ForbiddenAddressError';
  }
}

/**
 * A `lookup` for `http.request`: resolves as usual, then refuses forbidden addresses, so the
 * connection goes only to an address that passed the check (no second resolution to rebind).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((entry) => isForbiddenAddress(entry.address));
      if (bad) return callback(new ForbiddenAddressError(bad.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (!first) return callback(new Error(`${hostname} does not resolve`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Files to send come from URLs a platform hands us. Fetching them must never reach our own
 * network (SSRF): every address the host resolves to must be public, unless the host is listed
 * as allowed (a self-hosted file store, the local fakes in tests and the sandbox).
 * DNS can still change between this check and the connection; the check stops the common case.
 */
export async function publicUrlProblem(url: string, allowedHosts: readonly string[]): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `the ${parsed.protocol} scheme is not allowed (http or https only)`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (allowedHosts.includes(host)) return null;
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `the host ${host} does not resolve`;
  }
  const internal = addresses.find(isInternalAddress);
  return internal ? `the host ${host} resolves to a private address (${internal}); files must come from a public host` : null;
}

/**
 * Private, loopback, link-local, shared, multicast and reserved ranges, and every IPv6 form that
 * embeds an IPv4 address (mapped, compatible, NAT64, 6to4): URLs have no business using those, and
 * they are how a guard that only reads "::ffff:" gets bypassed.
 */
// Two lists: a BlockList also matches IPv4 addresses against IPv6 rules in their mapped form,
// so the ::ffff:0:0/96 rule would otherwise catch every IPv4 address.
const internalV4 = new net.BlockList();
const internalV6 = new net.BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) internalV4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 96], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  internalV6.addSubnet(network, prefix, 'ipv6');
}
internalV6.addAddress('::1', 'ipv6');

export function isInternalAddress(address: string): boolean {
  if (net.isIPv4(address)) return internalV4.check(address, 'ipv4');
  if (net.isIPv6(address)) return internalV6.check(address, 'ipv6');
  return true;
}

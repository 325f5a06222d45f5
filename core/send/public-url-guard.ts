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

export function isInternalAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isInternalAddress(v6.slice(7));
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe8') || v6.startsWith('fe9')
    || v6.startsWith('fea') || v6.startsWith('feb') || v6.startsWith('ff');
}

import { accountBaseUrl } from '../client';

/** `https://{subdomain}.zendesk.com`, or ZENDESK_API_BASE's origin: the only place an account's pages come from. */
export function zendeskOrigin(apiBase: string | undefined, subdomain: string): string {
  return new URL(accountBaseUrl(apiBase, subdomain)).origin;
}

/**
 * True when `url` belongs to this account's own Zendesk: same origin (https unless ZENDESK_API_BASE says
 * otherwise) and, under a base with a path (the fake's `/{subdomain}`), inside that path. The install flow
 * posts the new account's metadata to return_url, so a foreign one would hand our signature to a stranger.
 */
export function isOwnZendeskUrl(url: string, apiBase: string | undefined, subdomain: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(`${accountBaseUrl(apiBase, subdomain)}/`);
  return target.origin === base.origin && target.username === '' && target.password === '' && target.pathname.startsWith(base.pathname);
}

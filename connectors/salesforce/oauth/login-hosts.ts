import { z } from 'zod';

/** test.salesforce.com: every sandbox's login host (reference §1.3). */
export const DEFAULT_SANDBOX_LOGIN_URL = 'https://test.salesforce.com';
/** An org's My Domain login host; `{domain}` is what precedes `.my.salesforce.com` (§1.3). */
export const DEFAULT_MY_DOMAIN_URL = 'https://{domain}.my.salesforce.com';

/** Where the admin logs in: the three choices of the install page (§1.3). */
export const LOGIN_KINDS = ['production', 'sandbox', 'my_domain'] as const;
export type LoginKind = (typeof LOGIN_KINDS)[number];

/** The login hosts an operator configures: production, sandbox, and the My Domain template. */
export interface LoginHosts {
  /** `SALESFORCE_LOGIN_URL` */
  loginUrl: string;
  /** `SALESFORCE_SANDBOX_LOGIN_URL` */
  sandboxLoginUrl: string;
  /** `SALESFORCE_MY_DOMAIN_URL`, with `{domain}` */
  myDomainUrl: string;
}

export const myDomainTemplate = z.url().refine((url) => url.includes('{domain}'), 'must contain {domain}, as in https://{domain}.my.salesforce.com');

/**
 * A My Domain name (letters, digits and single hyphens, starting with a letter, at most 40: Salesforce's rule
 * for the name), optionally `--<sandbox>` (letters and digits, at most 10) for a sandbox of it.
 */
const domainName = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:--([a-z][a-z0-9]{0,9}))?$/;
/** What may follow the name before `.my.salesforce.com`: sandboxes, Developer Edition, scratch, demo and patch orgs. */
const orgKinds = new Set(['sandbox', 'develop', 'scratch', 'demo', 'patch', 'trailblaze']);

/**
 * The `{domain}` of what the admin typed: the name (`acme`, `acme--uat`) or the whole login URL
 * (`https://acme--uat.sandbox.my.salesforce.com`). A sandbox's name gains `.sandbox` (its host is
 * `<name>--<sandbox>.sandbox.my.salesforce.com`). Undefined for anything else: the value becomes the host
 * Threadline sends the client secret to, so nothing loose is accepted.
 */
export function myDomainOf(typed: string): string | undefined {
  let text = typed.trim().toLowerCase();
  const asUrl = /^https:\/\/([^/?#]+)\/?$/.exec(text);
  if (asUrl?.[1] !== undefined) {
    const host = /^(.+)\.my\.salesforce\.com$/.exec(asUrl[1]);
    if (host?.[1] === undefined) return undefined;
    text = host[1];
  }
  const [name = '', kind, ...rest] = text.split('.');
  const parsed = domainName.exec(name);
  if (!parsed || (parsed[1] ?? '').length > 40 || rest.length > 0) return undefined;
  const sandbox = parsed[2] !== undefined;
  if (kind === undefined) return sandbox ? `${name}.sandbox` : name;
  if (!orgKinds.has(kind) || sandbox !== (kind === 'sandbox')) return undefined;
  return `${name}.${kind}`;
}

/** The login URL of a choice on the install page, or why there is none. */
export function loginUrlOf(hosts: LoginHosts, kind: LoginKind, typedDomain: string): { ok: true; loginUrl: string } | { ok: false; message: string } {
  if (kind === 'production') return { ok: true, loginUrl: hosts.loginUrl };
  if (kind === 'sandbox') return { ok: true, loginUrl: hosts.sandboxLoginUrl };
  const domain = myDomainOf(typedDomain);
  if (domain === undefined) {
    return { ok: false, message: 'Type the org\'s My Domain name as Setup > My Domain shows it: "acme" for https://acme.my.salesforce.com, "acme--uat" for its sandbox uat, or the whole login URL.' };
  }
  return { ok: true, loginUrl: hosts.myDomainUrl.replace('{domain}', domain).replace(/\/$/, '') };
}

/** Which choice a stored login URL came from; a My Domain is anything but the two shared hosts. */
export function loginKindOf(hosts: LoginHosts, loginUrl: string): LoginKind {
  if (loginUrl === hosts.loginUrl) return 'production';
  if (loginUrl === hosts.sandboxLoginUrl) return 'sandbox';
  return 'my_domain';
}

/** The hosts as CSP sources (`https://*.my.salesforce.com` for the template): where the install form may lead. */
export function loginHostSources(hosts: LoginHosts): string[] {
  const urls = [hosts.loginUrl, hosts.sandboxLoginUrl, hosts.myDomainUrl.replace('{domain}', '*')];
  return [...new Set(urls.map((url) => /^https?:\/\/[^/?#]+/.exec(url)?.[0] ?? url))];
}

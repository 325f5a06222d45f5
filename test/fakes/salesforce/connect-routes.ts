import { z } from 'zod';
import type { FakeOrg } from './fake-org';
import { asResult, type RestRequest, type RestResult } from './rest-types';
import { notFound, restError } from './salesforce-errors';

/** One principal's credential parameters, as stored (values kept in clear here, for assertions). */
export interface StoredCredential {
  externalCredential: string;
  principalName: string;
  principalType: string;
  authenticationProtocol: string;
  credentials: Map<string, { value: string; encrypted: boolean }>;
}

/** An org's External Credentials as the Connect API sees them, and whether the calling user may change them. */
export interface NamedCredentialStore {
  /** By `externalCredential/principalName`. */
  readonly principals: Map<string, StoredCredential>;
  /** false: the connecting user lacks "Manage Named Credentials" (and Customize Application): writes are 403. */
  canManage: boolean;
}

const stores = new WeakMap<FakeOrg, NamedCredentialStore>();

/** The org's store, created empty on first use (the packaged External Credential "Threadline", principal "OrgKey", no value yet). */
export function namedCredentialsOf(org: FakeOrg): NamedCredentialStore {
  let store = stores.get(org);
  if (!store) {
    store = { principals: new Map(), canManage: true };
    stores.set(org, store);
  }
  return store;
}

/** The packaged names: the External Credential `Threadline` with its `OrgKey` named principal, namespaced like the objects. */
function packagedExternalCredential(org: FakeOrg): string {
  const message = [...org.schema.values()].find((def) => def.name.endsWith('WhatsApp_Message__c'));
  return `${message?.name.slice(0, -'WhatsApp_Message__c'.length) ?? ''}Threadline`;
}
const PACKAGED_PRINCIPAL = 'OrgKey';

const credentialInput = z.object({
  externalCredential: z.string().min(1),
  authenticationProtocol: z.enum(['AwsSv4', 'Custom', 'OAuth']),
  principalName: z.string().min(1),
  principalType: z.enum(['AwsStsPrincipal', 'NamedPrincipal', 'PerUserPrincipal']),
  credentials: z.record(z.string(), z.object({ value: z.string(), encrypted: z.boolean() })),
});

/** The Credential output: encrypted values are never given back [U: masked or left out; the fake leaves them out]. */
function output(stored: StoredCredential) {
  return {
    externalCredential: stored.externalCredential,
    principalName: stored.principalName,
    principalType: stored.principalType,
    authenticationProtocol: stored.authenticationProtocol,
    authenticationStatus: stored.credentials.size > 0 ? 'Configured' : 'NotConfigured',
    credentials: Object.fromEntries([...stored.credentials].map(([name, c]) => [name, c.encrypted ? { encrypted: true } : { encrypted: false, value: c.value }])),
  };
}

/**
 * Connect REST API `/named-credentials/credential` (reference §4.1): GET, POST, PUT a principal's credential
 * parameters. Only the packaged External Credential and principal exist. GET of a principal with no value
 * answers 200 `NotConfigured` with no credentials [U]; POST when it already holds values is 400 [U], PUT when
 * it holds none 404 [U]; POST 201, PUT 200 [U]. Writes need "Manage Named Credentials": 403 INSUFFICIENT_ACCESS.
 */
export function namedCredentialRoutes(req: RestRequest, segments: string[]): RestResult {
  if (segments.length !== 1 || segments[0] !== 'credential') return asResult(notFound());
  const store = namedCredentialsOf(req.org);
  const packaged = packagedExternalCredential(req.org);
  const principalOf = (externalCredential: string | null | undefined, principalName: string | null | undefined): StoredCredential | undefined => {
    if (externalCredential !== packaged || principalName !== PACKAGED_PRINCIPAL) return undefined;
    const key = `${externalCredential}/${principalName}`;
    const found = store.principals.get(key) ?? { externalCredential, principalName, principalType: 'NamedPrincipal', authenticationProtocol: 'Custom', credentials: new Map() };
    store.principals.set(key, found);
    return found;
  };
  if (req.method === 'GET') {
    const stored = principalOf(req.query.get('externalCredential'), req.query.get('principalName'));
    if (!stored || req.query.get('principalType') !== 'NamedPrincipal') return asResult(notFound());
    return { status: 200, body: output(stored) };
  }
  if (req.method !== 'POST' && req.method !== 'PUT') return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,POST,PUT,DELETE`));
  if (!store.canManage) return asResult(restError(403, 'INSUFFICIENT_ACCESS', 'You don\'t have permission to manage named credentials.'));
  const input = credentialInput.safeParse(req.body);
  if (!input.success) return asResult(restError(400, 'INVALID_INPUT', `Invalid credential input: ${input.error.issues.map((i) => i.path.join('.')).join(', ')}`));
  const stored = principalOf(input.data.externalCredential, input.data.principalName);
  if (!stored || input.data.principalType !== 'NamedPrincipal') return asResult(notFound());
  if (input.data.authenticationProtocol !== stored.authenticationProtocol) return asResult(restError(400, 'INVALID_INPUT', `The external credential uses the ${stored.authenticationProtocol} protocol`));
  if (req.method === 'POST' && stored.credentials.size > 0) return asResult(restError(400, 'INVALID_INPUT', 'A credential already exists for this principal. Use PUT to update it.'));
  if (req.method === 'PUT' && stored.credentials.size === 0) return asResult(notFound());
  stored.credentials = new Map(Object.entries(input.data.credentials));
  return { status: req.method === 'POST' ? 201 : 200, body: output(stored) };
}

import crypto from 'node:crypto';
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { callSalesforce, type SalesforceCallOptions, type SalesforceInstallation } from './client/salesforce-call';
import type { SalesforceResult } from './salesforce-result';

/**
 * The org's callout key lives in the packaged External Credential "Threadline" (Custom protocol), principal
 * "OrgKey", parameter "SigningKey" (manifests/salesforce/force-app/main/default/externalCredentials): secrets
 * are never packaged, so Threadline writes it after the OAuth install through the Connect REST API
 * (reference §4.1), with the connecting admin's token.
 */
const EXTERNAL_CREDENTIAL = 'Threadline';
const CALLOUT_KEY_PRINCIPAL = 'OrgKey';
const CALLOUT_KEY_PARAMETER = 'SigningKey';
const CREDENTIAL_PATH = '/named-credentials/credential';

/** 32 random bytes, base64url: what signs the package's callouts (HMAC) and what the org stores. */
export function newCalloutKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** The External Credential's API name as the org sees it: `threadline__Threadline`, or bare in an unpackaged org. */
export function externalCredentialName(namespace: string): string {
  return namespace === '' ? EXTERNAL_CREDENTIAL : `${namespace}__${EXTERNAL_CREDENTIAL}`;
}

/** The Connect API's Credential output, as far as we read it: the parameters set, values masked when encrypted. */
const credentialOutput = z.object({ credentials: z.record(z.string(), z.unknown()).default({}) });

/** Whether the org's principal holds a SigningKey now (the value itself is never returned: it is encrypted). */
export async function calloutKeyInPlace(installation: SalesforceInstallation, options: SalesforceCallOptions = {}): Promise<SalesforceResult<boolean>> {
  const found = await callSalesforce(installation, (conn) => readPrincipal(conn, installation.config.namespace), options);
  if (!found.ok) return found.error.code === 'NOT_FOUND' ? { ok: true, value: false } : found;
  const parsed = credentialOutput.safeParse(found.value);
  if (!parsed.success) return { ok: false, error: { code: 'BAD_RESPONSE', message: `Salesforce answered the credential read without its credentials: ${parsed.error.message.slice(0, 200)}` } };
  return { ok: true, value: CALLOUT_KEY_PARAMETER in parsed.data.credentials };
}

/**
 * Writes the installation's callout key into the org's principal: PUT when the principal already holds a
 * SigningKey (a re-install), POST otherwise. FORBIDDEN when the admin lacks "Manage Named Credentials"
 * (or Customize Application): the install then shows the key for the admin to paste.
 */
export async function pushCalloutKey(installation: SalesforceInstallation, options: SalesforceCallOptions = {}): Promise<SalesforceResult<'created' | 'replaced'>> {
  const inPlace = await calloutKeyInPlace(installation, options);
  if (!inPlace.ok) return inPlace;
  const method = inPlace.value ? 'PUT' : 'POST';
  const { namespace } = installation.config;
  const body = {
    externalCredential: externalCredentialName(namespace),
    authenticationProtocol: 'Custom',
    principalName: CALLOUT_KEY_PRINCIPAL,
    principalType: 'NamedPrincipal',
    credentials: { [CALLOUT_KEY_PARAMETER]: { value: installation.credentials.calloutKey, encrypted: true } },
  };
  const written = await callSalesforce(installation, (conn) => conn.request({
    method, url: CREDENTIAL_PATH, body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
  }), options);
  return written.ok ? { ok: true, value: inPlace.value ? 'replaced' : 'created' } : written;
}

function readPrincipal(conn: Connection, namespace: string): Promise<unknown> {
  const query = new URLSearchParams({ externalCredential: externalCredentialName(namespace), principalName: CALLOUT_KEY_PRINCIPAL, principalType: 'NamedPrincipal' });
  return conn.request({ method: 'GET', url: `${CREDENTIAL_PATH}?${query}` });
}

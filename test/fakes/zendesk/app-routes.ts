import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { forbidden, invalidToken, notFound, unauthorized } from './zendesk-errors';

/**
 * The Zendesk app Threadline ships, as Zendesk holds it (reference §2.4): one app id and one RSA key pair.
 * Zendesk signs ZAF JWTs with the private key; the public key is `GET /api/v2/apps/{app_id}/public_key.pem`.
 * `mintZafJwt` signs what Zendesk would post to a signed app page.
 */
let keys: crypto.KeyPairKeyObjectResult | undefined;
/** Generated on first use (~0.1 s), so test files that never load the app do not pay for it. */
const appKeys = () => (keys ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const fakeZafApp = {
  appId: '900101',
  get publicKeyPem(): string {
    return appKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  },
  get privateKey(): crypto.KeyObject {
    return appKeys().privateKey;
  },
};

export interface ZafJwtInput {
  /** What replaces `https://{subdomain}.zendesk.com` (the fake's `baseUrlFor(subdomain)`). */
  accountBase: string;
  subdomain: string;
  appInstallationId?: string;
  agentId?: number;
  now?: Date;
  /** Default 300 s (§2.4: about five minutes). */
  lifetimeSeconds?: number;
  /** Another key: a token Zendesk did not sign. */
  privateKey?: crypto.KeyObject;
  /** Claims to add or replace (a wrong `aud`, a missing `exp`…). */
  claims?: Record<string, unknown>;
}

export function mintZafJwt(input: ZafJwtInput): string {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const appInstallationId = input.appInstallationId ?? '7001';
  const claims = {
    iss: `${input.subdomain}.zendesk.com`,
    aud: `${input.accountBase}/api/v2/apps/installations/${appInstallationId}.json`,
    sub: String(input.agentId ?? 361001),
    iat, nbf: iat, exp: iat + (input.lifetimeSeconds ?? 300),
    cnf: { jku: `${input.accountBase}/api/v2/apps/${fakeZafApp.appId}/public_key.pem` },
    context: { product: 'support', location: 'ticket_sidebar' },
    ...input.claims,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode({ typ: 'JWT', alg: 'RS256' })}.${encode(claims)}`;
  return `${signed}.${crypto.sign('sha256', Buffer.from(signed), input.privateKey ?? fakeZafApp.privateKey).toString('base64url')}`;
}

/** `GET /api/v2/apps/{app_id}/public_key.pem`: an OAuth token of the account with a read scope; unknown app 404. */
export function appRouter(): express.Router {
  const router = express.Router();
  router.get('/:appId/public_key.pem', (req: Request<{ appId: string }>, res: Response) => {
    const presented = bearerToken(req);
    if (presented === undefined) return sendError(res, unauthorized());
    const token = accountOf(req).oauth.validAccessToken(presented);
    if (!token) return sendError(res, invalidToken());
    if (!token.scopes.some((s) => s === 'read' || s === 'write' || s === 'apps:read' || s === 'apps:write')) return sendError(res, forbidden());
    if (req.params.appId !== fakeZafApp.appId) return sendError(res, notFound());
    res.status(200).type('application/x-pem-file').send(fakeZafApp.publicKeyPem);
  });
  return router;
}

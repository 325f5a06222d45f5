import type { Request, Response } from 'express';
import { z } from 'zod';
import { redeemConnectCode } from '../../core/auth/connect-codes';
import { LoginAttempts } from '../../core/auth/login-attempts';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Config } from '../config';
import { sendError } from '../http-errors';

/** What every OAuth connector's install routes take from the server (HubSpot, Salesforce): one place to build it. */
export function oauthInstallDeps(db: Db, secrets: SecretBox, config: Config) {
  return {
    publicUrl: config.publicUrl,
    production: config.nodeEnv === 'production',
    loginAttempts: new LoginAttempts({ db, secrets }),
    redeemConnectCode: (purpose: string, code: string) => redeemConnectCode(db, purpose, code),
  };
}

const installationId = z.uuid();

/** The `:id` of an admin installation route as a UUID, or undefined after answering 400 (naming where ids are listed). */
export function installationIdParam(req: Request, res: Response, listPath: string): string | undefined {
  const id = installationId.safeParse(req.params.id);
  if (!id.success) sendError(res, 400, 'INVALID_ID', `The installation id must be a UUID (see GET ${listPath})`);
  return id.success ? id.data : undefined;
}

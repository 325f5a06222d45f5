import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The developer project's app component: the scopes a real portal is asked for are the ones configured here (§1.1). */
const APP_HSMETA = path.join(__dirname, '../../../manifests/hubspot/src/app/app-hsmeta.json');

const appScopes = z.object({ config: z.object({ auth: z.object({ requiredScopes: z.array(z.string()), optionalScopes: z.array(z.string()) }) }) });

/**
 * The shipped app's required and optional scopes, read from app-hsmeta.json so the fake refuses what the project
 * does not configure (an authorize URL asking for any other scope fails the install).
 */
export function projectScopes(file = APP_HSMETA): { requiredScopes: string[]; optionalScopes: string[] } {
  const { requiredScopes, optionalScopes } = appScopes.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).config.auth;
  return { requiredScopes, optionalScopes };
}

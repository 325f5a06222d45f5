import fs from 'node:fs';
import path from 'node:path';

/** The packaged External Client App's OAuth settings: what a real org's ECA grants (reference §1.1). */
const OAUTH_SETTINGS = path.join(__dirname, '../../../manifests/salesforce/force-app/main/default/extlClntAppOauthSettings/Threadline_oauth.ecaOauth-meta.xml');

/**
 * Metadata scope names → the `scope` values they allow on the authorize page ("Perform requests at any time" is both
 * `refresh_token` and `offline_access`; "Access the identity URL service" is `id` and its synonyms, §1.3).
 * [U] the metadata names are Connected App's `ConnectedAppOauthAccessScope` values, which the ECA settings reuse.
 */
const SCOPE_VALUES: Record<string, readonly string[]> = {
  Api: ['api'],
  RefreshToken: ['refresh_token', 'offline_access'],
  OfflineAccess: ['refresh_token', 'offline_access'],
  Basic: ['id', 'profile', 'email', 'address', 'phone'],
  OpenID: ['openid'],
  Full: ['full'],
  Web: ['web'],
  Chatter: ['chatter_api'],
  CustomPermissions: ['custom_permissions'],
};

/**
 * The scopes the packaged ECA selects, read from its metadata so the fake can never grant what the package does not:
 * asking a real org for any other scope fails the authorize page with `invalid_scope`.
 */
export function packagedScopes(file = OAUTH_SETTINGS): string[] {
  const listed = /<commaSeparatedOauthScopes>([^<]*)<\/commaSeparatedOauthScopes>/.exec(fs.readFileSync(file, 'utf8'))?.[1];
  if (listed === undefined) throw new Error(`${file} selects no OAuth scopes`);
  return [...new Set(listed.split(',').map((name) => name.trim()).flatMap((name) => {
    const values = SCOPE_VALUES[name];
    if (values === undefined) throw new Error(`Salesforce fake: the ECA scope ${name} is not modelled; add it to SCOPE_VALUES`);
    return values;
  }))];
}

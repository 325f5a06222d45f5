/**
 * What Threadline asks a portal for (reference §1.4). The authorize URL's `scope` must list every required
 * scope configured on the app (a mismatch fails the install), so these lists and the developer project's
 * `app-hsmeta.json` (`requiredScopes`, `optionalScopes`) must stay the same.
 */
export const REQUIRED_SCOPES = [
  /** Every app has it; also what `DELETE /appinstalls/v3/external-install` needs (§1.5). */
  'oauth',
  /** Find the contact of a WhatsApp number (search), and the contact webhooks (merge, deletion, phone changes). */
  'crm.objects.contacts.read',
  /** Create contacts, and log messages as communications (the communications API asks for contact write, §7.2). */
  'crm.objects.contacts.write',
  /** Find a contact's open deals, to associate logged messages with them. */
  'crm.objects.deals.read',
  /** Create Threadline's own contact properties (WhatsApp consent, the last failed send). */
  'crm.schemas.contacts.write',
  /** Complete the "Send WhatsApp template" workflow action's callbacks (§6.4). */
  'automation',
] as const;

/**
 * Conversations scopes need Sales or Service Hub Professional: required, they would block every other
 * portal's install, so they are optional and a portal without them simply does not grant them (§1.4, §5).
 */
export const OPTIONAL_SCOPES = ['conversations.read', 'conversations.custom_channels.read', 'conversations.custom_channels.write'] as const;

/**
 * Reading a user's settings (`superAdmin`), for the console sign-in only (console-sign-in.ts): the install never asks
 * for it. Optional, so a portal that does not grant it still signs its users in, as viewers.
 */
export const USERS_READ_SCOPE = 'settings.users.read';

/** The app's `optionalScopes` in app-hsmeta.json: what the install and the sign-in may ask for beyond the required ones. */
export const APP_OPTIONAL_SCOPES = [...OPTIONAL_SCOPES, USERS_READ_SCOPE] as const;

/** Required scopes the portal did not grant (empty when the grant is complete). */
export function missingRequiredScopes(granted: readonly string[]): string[] {
  return REQUIRED_SCOPES.filter((scope) => !granted.includes(scope));
}

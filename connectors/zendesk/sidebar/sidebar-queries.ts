import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { linkTypes } from '../map-event-to-resource';
import { zendeskConfigSchema, zendeskCredentialsSchema, type ZendeskConfig, type ZendeskCredentials } from '../zendesk-settings';

/**
 * The three reads the sidebar needs that core has no function for yet (the lead may move them into core:
 * a reverse link lookup in core/sync/external-links.ts, consent in core/conversations). Everything else
 * goes through the read functions the server injects.
 */

export interface AccountInstallation {
  id: string;
  config: ZendeskConfig;
  credentials: ZendeskCredentials | null;
}

/** The active Zendesk installations (integration accounts) of one Zendesk account in a workspace. */
export async function installationsOfAccount(db: Db, secrets: SecretBox, workspaceId: string, subdomain: string): Promise<AccountInstallation[]> {
  const rows: { id: string; settings: unknown; credentials_sealed: string | null }[] = await db('installation')
    .where({ workspace_id: workspaceId, connector: 'zendesk', state: 'active' })
    .whereRaw(`lower(settings->>'subdomain') = ?`, [subdomain.toLowerCase()])
    .orderBy('created_at')
    .select('id', 'settings', 'credentials_sealed');
  return rows.flatMap((row) => {
    const config = zendeskConfigSchema.safeParse(row.settings);
    if (!config.success) return [];
    const credentials = row.credentials_sealed ? zendeskCredentialsSchema.safeParse(JSON.parse(secrets.open(row.credentials_sealed))) : null;
    return [{ id: row.id, config: config.data, credentials: credentials?.success ? credentials.data : null }];
  });
}

/** The conversation whose ticket this is, through one of these installations (the event callback's link). */
export async function conversationOfTicket(db: Db, workspaceId: string, installationIds: readonly string[], ticketId: string): Promise<{ conversationId: string; installationId: string } | null> {
  const row: { entity_id: string; installation_id: string } | undefined = await db('external_link')
    .where({ workspace_id: workspaceId, entity_type: 'conversation', external_type: linkTypes.ticket, external_id: ticketId })
    .whereIn('installation_id', [...installationIds])
    .first('entity_id', 'installation_id');
  return row ? { conversationId: row.entity_id, installationId: row.installation_id } : null;
}

export interface ConsentView {
  /** opted_in | opted_out | unknown (nothing recorded) */
  status: string;
  marketing: string;
}

/** The customer's consent on the conversation's number. */
export async function consentOfConversation(db: Db, workspaceId: string, conversationId: string): Promise<ConsentView> {
  const row: { status: string; marketing: string } | undefined = await db('conversation as c')
    .join('consent as k', (join) => join.on('k.contact_id', 'c.contact_id').andOn('k.whatsapp_number_id', 'c.whatsapp_number_id'))
    .where({ 'c.workspace_id': workspaceId, 'c.id': conversationId })
    .first('k.status', 'k.marketing');
  return row ?? { status: 'unknown', marketing: 'subscribed' };
}

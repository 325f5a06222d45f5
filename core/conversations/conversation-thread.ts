import type { ConnectorRegistry } from '../connectors/registry';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { readConversationConsent, type ConsentRead } from './read-consent';
import { readConversation, type ConversationSummary, type MessageView } from './read-conversations';

/** A platform record the conversation or its contact is linked to, with its page when the connector knows one. */
export interface RecordLinkView {
  installationId: string;
  /** The connector's display name (its id when this build does not ship it). */
  platform: string;
  accountId: string;
  installationState: string;
  of: 'conversation' | 'contact';
  externalType: string;
  externalId: string;
  url: string | undefined;
}

export interface ConversationThread {
  conversation: ConversationSummary & { messages: MessageView[] };
  number: { display_phone_number: string | null; verified_name: string | null };
  consent: ConsentRead;
  links: RecordLinkView[];
}

interface LinkRow {
  installation_id: string; connector: string; account_id: string; settings: unknown; credentials_sealed: string | null; state: string;
  entity_type: 'conversation' | 'contact'; external_type: string; external_id: string;
}

/**
 * The links of the conversation and of its contact on every installation of the workspace. The join starts from the
 * workspace's few installations, so each lookup is a prefix of external_link's unique (installation, entity) index.
 */
async function recordLinks(deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry }, workspaceId: string, conversation: ConversationSummary): Promise<RecordLinkView[]> {
  const rows: LinkRow[] = await deps.db('installation as i')
    .join('external_link as l', 'l.installation_id', 'i.id')
    .where({ 'i.workspace_id': workspaceId, 'l.workspace_id': workspaceId })
    .where((q) => q.where({ 'l.entity_type': 'conversation', 'l.entity_id': conversation.id }).orWhere({ 'l.entity_type': 'contact', 'l.entity_id': conversation.contact.id }))
    .orderBy([{ column: 'i.created_at' }, { column: 'l.entity_type', order: 'desc' }, { column: 'l.external_type' }])
    .select('l.installation_id', 'i.connector', 'i.account_id', 'i.settings', 'i.credentials_sealed', 'i.state', 'l.entity_type', 'l.external_type', 'l.external_id');
  // Opened once per installation: some platforms' record pages live at an address only the credentials hold.
  const credentials = new Map<string, unknown>();
  const credentialsOf = (row: LinkRow): unknown => {
    if (!credentials.has(row.installation_id)) credentials.set(row.installation_id, row.credentials_sealed ? JSON.parse(deps.secrets.open(row.credentials_sealed)) : null);
    return credentials.get(row.installation_id);
  };
  return rows.map((row) => {
    const connector = deps.registry.get(row.connector);
    const link = { externalType: row.external_type, externalId: row.external_id };
    return {
      installationId: row.installation_id, platform: connector?.displayName ?? row.connector, accountId: row.account_id, installationState: row.state,
      of: row.entity_type, ...link,
      url: connector?.recordUrl({ accountId: row.account_id, settings: row.settings, credentials: credentialsOf(row) }, link),
    };
  });
}

/** Everything the console's thread view shows of one conversation of the workspace; null when it has none by that id. */
export async function readConversationThread(deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry }, workspaceId: string, conversationId: string): Promise<ConversationThread | null> {
  const conversation = await readConversation(deps.db, workspaceId, conversationId);
  if (!conversation) return null;
  const readNumber = async (): Promise<ConversationThread['number'] | undefined> => deps.db('whatsapp_number')
    .where({ workspace_id: workspaceId, phone_number_id: conversation.phone_number_id }).first('display_phone_number', 'verified_name');
  const [number, consent, links] = await Promise.all([
    readNumber(),
    readConversationConsent(deps.db, workspaceId, conversationId),
    recordLinks(deps, workspaceId, conversation),
  ]);
  return {
    conversation,
    number: number ?? { display_phone_number: null, verified_name: null },
    consent: consent ?? { status: 'unknown', marketing: 'subscribed' },
    links,
  };
}

import type { Knex } from 'knex';
import type { InboxPayload } from '../inbox/inbox-event';
import { customerActor } from './customer-actor';
import type { EngineContext } from './engine-context';
import { numberSettings } from './number-settings';
import { recordConsent, type MarketingPreference } from './record-consent';
import { identityOf, resolveContact } from './resolve-contact';

const MARKETING: Record<string, MarketingPreference> = { stop: 'stopped', resume: 'subscribed' };

/** The customer stopped or resumed marketing messages in WhatsApp itself. */
export async function applyUserPreference(ctx: EngineContext, trx: Knex.Transaction, workspaceId: string, payload: Extract<InboxPayload, { kind: 'user_preference' }>): Promise<void> {
  const { preference } = payload;
  const marketing = MARKETING[preference.value];
  if (preference.category !== 'marketing_messages' || !marketing) {
    ctx.logger.info({ workspaceId, category: preference.category, value: preference.value }, 'user preference not handled');
    return;
  }
  const number = await numberSettings(trx, workspaceId, payload.phoneNumberId);
  const at = new Date(Number(preference.timestamp) * 1000);
  const contact = await resolveContact(trx, workspaceId, identityOf({ waId: preference.wa_id, userId: preference.user_id }, payload.contact), at);
  await recordConsent(trx, {
    workspaceId,
    contactId: contact.id,
    whatsappNumberId: number.id,
    change: { field: 'marketing', value: marketing },
    source: 'user_preferences',
    at,
    actor: customerActor(contact),
    data: typeof preference.detail === 'string' ? { detail: preference.detail } : {},
  });
}

import { componentText, takesBodyParametersOnly } from '../../../core/templates/platform-templates';

/**
 * What the sidebar page shows, built from core's read models (structural types: the server injects
 * core's reads, so this module imports none of them).
 */

export interface ConversationRead {
  id: string;
  status: string;
  phone_number_id: string;
  contact: { wa_id: string | null; profile_name: string | null; username: string | null };
  window_expires_at: Date | null;
  window_open: boolean;
  messages: {
    id: string; direction: string; type: string; text: string | null; status: string; sent_at: Date;
    error: { code: number; title: string | null; details: string | null } | null;
  }[];
}

interface TemplateParamRead { name: string; example: string | undefined }

export interface TemplateRead {
  name: string;
  language: string;
  category: string;
  sendable: boolean;
  parameter_format: string;
  components: Record<string, unknown>[];
  parameters: { header: { format: string; parameters: TemplateParamRead[] } | null; body: { parameters: TemplateParamRead[] }; buttons: { parameters: TemplateParamRead[] }[] };
}

export interface ConsentRead {
  status: string;
  marketing: string;
}

export interface SidebarReads {
  readConversation(workspaceId: string, conversationId: string): Promise<ConversationRead | null>;
  /** The customer's consent on the conversation's number; null when there is no such conversation. */
  readConsent(workspaceId: string, conversationId: string): Promise<ConsentRead | null>;
  /** The entity a platform record links to through any of these installations (core's external links). */
  findLinkedEntity(
    workspaceId: string, installationIds: readonly string[], link: { entityType: 'conversation'; externalType: string; externalId: string },
  ): Promise<{ entityId: string; installationId: string } | null>;
  listTemplates(workspaceId: string, filter: { phoneNumberId: string; status: 'APPROVED' }): Promise<{ ok: true; items: TemplateRead[] } | { ok: false; code: string; message: string }>;
}

/** The last messages: enough for an agent to see what was delivered and read without scrolling. */
const LAST_MESSAGES = 10;

export function ticketView(conversation: ConversationRead, consent: ConsentRead, now: Date) {
  const { contact } = conversation;
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      phoneNumberId: conversation.phone_number_id,
      customer: { name: contact.profile_name ?? contact.username ?? (contact.wa_id ? `+${contact.wa_id}` : null), waId: contact.wa_id },
    },
    window: { open: conversation.window_open, expiresAt: conversation.window_expires_at?.toISOString() ?? null },
    consent,
    messages: conversation.messages.slice(-LAST_MESSAGES).map((m) => ({
      id: m.id, direction: m.direction, type: m.type, text: m.text, status: m.status, sentAt: m.sent_at.toISOString(), error: m.error,
    })),
    serverTime: now.toISOString(),
  };
}

/**
 * The templates in the ticket's language (Zendesk `pt-BR` matches Meta `pt_BR`, else any `pt…`);
 * all of them when none is in that language, flagged so the page can say so.
 */
export function templatesView(templates: readonly TemplateRead[], locale: string | undefined) {
  const usable = templates.filter((t) => t.sendable && takesBodyParametersOnly(t));
  const wanted = locale?.replace('-', '_').toLowerCase();
  const base = wanted?.split('_')[0];
  const exact = usable.filter((t) => t.language.toLowerCase() === wanted);
  const sameLanguage = exact.length > 0 ? exact : usable.filter((t) => t.language.toLowerCase().split('_')[0] === base);
  const chosen = sameLanguage.length > 0 ? sameLanguage : usable;
  return {
    languageMatched: sameLanguage.length > 0,
    items: chosen.map((t) => ({
      name: t.name,
      language: t.language,
      category: t.category,
      parameterFormat: t.parameter_format,
      parameters: t.parameters.body.parameters.map((p) => ({ name: p.name, example: p.example ?? null })),
      text: { header: componentText(t, 'HEADER'), body: componentText(t, 'BODY') ?? '', footer: componentText(t, 'FOOTER') },
    })),
  };
}

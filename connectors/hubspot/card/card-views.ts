import type { ConsentRead } from '../../../core/conversations/read-consent';
import type { ConversationSummary, MessageView } from '../../../core/conversations/read-conversations';
import type { TemplateView } from '../../../core/templates/list-templates';
import { componentText, takesBodyParametersOnly } from '../../../core/templates/platform-templates';

/** Enough of the thread for a rep to see what was said, delivered and read; the timeline has the rest. */
const LAST_MESSAGES = 20;

/** A template the card (and the workflow action) can send: body parameters only, as the contract's `OutgoingMessage`. */
export interface CardTemplate {
  name: string;
  language: string;
  body: string;
  parameters: { name: string; example: string | null }[];
}

export function cardTemplates(templates: readonly TemplateView[]): CardTemplate[] {
  return templates.filter((t) => t.sendable && takesBodyParametersOnly(t)).map((t) => ({
    name: t.name,
    language: t.language,
    body: componentText(t, 'BODY') ?? '',
    parameters: t.parameters.body.parameters.map((p) => ({ name: p.name, example: p.example ?? null })),
  }));
}

type CardStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | null;

/** Ticks for what we sent; a customer's own message (`received`) has none. A played voice note counts as read. */
function statusOf(message: Pick<MessageView, 'direction' | 'status'>): CardStatus {
  if (message.direction !== 'outbound') return null;
  if (message.status === 'played') return 'read';
  return (['pending', 'sent', 'delivered', 'read', 'failed'] as const).find((s) => s === message.status) ?? null;
}

function errorOf(message: Pick<MessageView, 'error'>): string | null {
  if (message.error === null) return null;
  const { code, title, details } = message.error;
  return [title ?? `WhatsApp error ${code}`, details].filter(Boolean).join(': ');
}

const NO_THREAD = { contact: null, conversation: null, window: { open: false, closesAt: null }, consent: 'unknown', messages: [], templates: [] };

/** The `thread` answer of the card contract (hs-common.md); no conversation yet: everything empty, the composer off. */
export function threadView(
  thread: { conversation: ConversationSummary & { messages: MessageView[] }; consent: ConsentRead; templates: readonly TemplateView[] } | null,
) {
  if (thread === null) return NO_THREAD;
  const { conversation, consent } = thread;
  const { contact, assignee } = conversation;
  return {
    contact: { waId: contact.wa_id, name: contact.profile_name ?? contact.username ?? (contact.wa_id === null ? null : `+${contact.wa_id}`) },
    conversation: {
      id: conversation.id,
      status: conversation.status,
      // Whoever holds it, on any platform (a Zendesk agent too): one thread, every platform.
      holder: assignee === null ? null : { platform: assignee.platform, name: assignee.name ?? assignee.id },
    },
    window: { open: conversation.window_open, closesAt: conversation.window_expires_at?.toISOString() ?? null },
    consent: consent.status === 'opted_in' || consent.status === 'opted_out' ? consent.status : 'unknown',
    messages: conversation.messages.slice(-LAST_MESSAGES).map((m) => ({
      id: m.id, direction: m.direction === 'outbound' ? 'outbound' : 'inbound', text: m.text, type: m.type, status: statusOf(m), error: errorOf(m), sentAt: m.sent_at.toISOString(),
    })),
    templates: cardTemplates(thread.templates),
  };
}

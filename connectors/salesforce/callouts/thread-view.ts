import type { ConsentRead } from '../../../core/conversations/read-consent';
import type { ConversationSummary, MessageView } from '../../../core/conversations/read-conversations';
import type { TemplateView } from '../../../core/templates/list-templates';
import { componentText, takesBodyParametersOnly } from '../../../core/templates/platform-templates';

/** What the component shows; older messages are on the record's WhatsApp_Message__c related list. */
const LAST_MESSAGES = 50;

/** Positional body parameters a template send takes (the Flow action's list, the composer's fields). */
export const MAX_TEMPLATE_PARAMETERS = 10;

/** A template the package can send: positional body parameters only, as `templates/send` takes them. */
export interface CalloutTemplate {
  name: string;
  language: string;
  category: string;
  body: string;
  parameterCount: number;
}

export function calloutTemplates(templates: readonly TemplateView[]): CalloutTemplate[] {
  return templates
    .filter((t) => t.sendable && t.parameters.format === 'POSITIONAL' && takesBodyParametersOnly(t) && t.parameters.body.parameters.length <= MAX_TEMPLATE_PARAMETERS)
    .map((t) => ({ name: t.name, language: t.language, category: t.category, body: componentText(t, 'BODY') ?? '', parameterCount: t.parameters.body.parameters.length }));
}

/**
 * A message's status as the package names it: `queued` until Meta took it (core's `pending`), a played voice
 * note is `read`, a customer's message `received`.
 */
export function calloutStatus(status: string): string {
  if (status === 'pending') return 'queued';
  return status === 'played' ? 'read' : status;
}

/** Whoever holds the conversation, on any platform (a Zendesk agent too): one thread, every platform. */
function holderOf(assignee: ConversationSummary['assignee']): string | null {
  return assignee === null ? null : `${assignee.name ?? assignee.id} (${assignee.platform})`;
}

export interface ThreadInput {
  conversation: ConversationSummary & { messages: MessageView[] };
  consent: ConsentRead;
  templates: readonly TemplateView[];
  /** A download link for a message's media (signed, expiring); without it the package shows no media link. */
  mediaUrlFor?: (messageId: string) => string;
}

/** The `thread` answer (contract in the connector README); no conversation: null and nothing else. */
export function threadView(thread: ThreadInput | null) {
  if (thread === null) return { conversation: null, messages: [], templates: [] };
  const { conversation, consent, mediaUrlFor } = thread;
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      windowOpen: conversation.window_open,
      windowClosesAt: conversation.window_expires_at?.toISOString() ?? null,
      consent: consent.status === 'opted_in' || consent.status === 'opted_out' ? consent.status : 'unknown',
      holder: holderOf(conversation.assignee),
    },
    messages: conversation.messages.slice(-LAST_MESSAGES).map((m) => ({
      id: m.id,
      direction: m.direction === 'outbound' ? 'outbound' : 'inbound',
      type: m.type,
      text: m.text,
      status: calloutStatus(m.status),
      sentAt: m.sent_at.toISOString(),
      errorCode: m.error === null ? null : String(m.error.code),
      errorMessage: m.error === null ? null : [m.error.title, m.error.details].filter(Boolean).join(': ') || null,
      mediaUrl: m.media !== null && mediaUrlFor !== undefined ? mediaUrlFor(m.id) : null,
    })),
    templates: calloutTemplates(thread.templates),
  };
}

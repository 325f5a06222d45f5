/** What happens to a conversation that connected platforms hear about. */
export const CONVERSATION_EVENT_TYPES = [
  'message.inbound',
  'message.outbound',
  'message.status',
  'message.failed',
  'conversation.assigned',
  'conversation.closed',
  'conversation.reopened',
  /** A bot handed the conversation to a person (with its reason and the transcript), or an admin handed it back. */
  'conversation.handoff',
  'consent.changed',
  /** Routed to a team (automation routing): data.team carries where it lands on each platform. */
  'conversation.routed',
  /** A response target was missed: data.kind (first_response | next_response), data.team, data.dueAt. */
  'conversation.sla_breached',
  /** A trigger's template got no answer in its follow-up time and the trigger hands that to a person: data.trigger, data.template, data.sentAt. */
  'conversation.follow_up_due',
] as const;

export type ConversationEventType = (typeof CONVERSATION_EVENT_TYPES)[number];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ConversationEvent = {
  workspaceId: string;
  type: ConversationEventType;
  /** The installation the event came from (a reply written on a platform); null when it came from WhatsApp or core. */
  origin?: string | null;
  data: JsonObject;
} & (
  | { conversationId: string; messageId?: string | null }
  /** The message's conversation, found in the same statement (the engine may have just created it). */
  | { conversationId: null; messageId: string }
);

export function isConversationEventType(value: string): value is ConversationEventType {
  return (CONVERSATION_EVENT_TYPES as readonly string[]).includes(value);
}

import type { WebhookContact, WebhookMessage, WebhookStatus, WebhookUserPreference } from '../whatsapp/webhook-payload';

/** What one inbox row carries, by kind. The engine dispatches on `kind`. */
export type InboxPayload =
  | { kind: 'message'; phoneNumberId: string; wabaId: string; contact: WebhookContact | null; message: WebhookMessage }
  | { kind: 'status'; phoneNumberId: string; wabaId: string; status: WebhookStatus }
  | { kind: 'user_preference'; phoneNumberId: string; wabaId: string; contact: WebhookContact | null; preference: WebhookUserPreference }
  | { kind: 'template_status'; wabaId: string; time: number | null; update: Record<string, unknown> }
  | { kind: 'quality_update'; wabaId: string; time: number | null; update: Record<string, unknown> }
  | { kind: 'system_error'; phoneNumberId: string; wabaId: string; errors: unknown[] }
  | { kind: 'unhandled'; field: string; wabaId: string; value: Record<string, unknown> }
  | { kind: 'malformed'; field: string; wabaId: string; item: unknown; problem: string };

export type InboxKind = InboxPayload['kind'];

/** An event extracted from a webhook, before routing to a workspace. */
export interface InboxDraft {
  dedupeKey: string;
  phoneNumberId: string | null;
  wabaId: string;
  conversationKey: string;
  eventAt: Date;
  payload: InboxPayload;
}

/** A stored inbox row as the worker reads it. */
export interface InboxEventRow {
  id: number;
  workspace_id: string;
  phone_number_id: string | null;
  dedupe_key: string;
  kind: InboxKind;
  conversation_key: string;
  shard: number;
  event_at: Date;
  payload: InboxPayload;
  attempts: number;
  received_at: Date;
}

import { THREADLINE_URL } from './threadline-url';

/**
 * The card's side of the card ↔ backend contract (connectors/hubspot/card on the server): every call is a POST to
 * `/connectors/hubspot/card/<op>` with the record in the query. HubSpot signs the whole URI (v3) and adds `appId`,
 * so the query cannot be changed on the way; the card never holds a secret.
 */

export type Consent = 'opted_in' | 'opted_out' | 'unknown';
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | null;

export interface CardTemplate {
  name: string;
  language: string;
  body: string;
  parameters: { name: string; example: string | null }[];
}

export interface CardMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string | null;
  type: string;
  status: MessageStatus;
  error: string | null;
  sentAt: string;
}

export interface CardThread {
  contact: { waId: string | null; name: string | null } | null;
  conversation: { id: string; status: string; holder: { platform: string; name: string } | null } | null;
  window: { open: boolean; closesAt: string | null };
  consent: Consent;
  messages: CardMessage[];
  templates: CardTemplate[];
}

/** A refusal or failure, in words a rep can act on; `templates` when the window is closed (WINDOW_CLOSED). */
export interface CardProblem {
  status: number;
  code: string;
  message: string;
  templates?: CardTemplate[];
}

export type CardResult<T> = { ok: true; value: T } | { ok: false; problem: CardProblem };

/** `hubspot.fetch`'s shape (JSON bodies only, no custom headers): injected so tests can stand in for HubSpot. */
export type Fetcher = (url: string, options: { method: 'POST'; body: Record<string, unknown>; timeout?: number }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** What names the record, from the card's context. */
export interface RecordRef {
  portalId: number;
  userId: number;
  objectTypeId: string;
  objectId: number;
}

export type TemplateParameters = string[] | Record<string, string>;

/** When the answer carries no message of its own (a proxy error page, a timeout). */
const FALLBACK: Record<number, string> = {
  0: 'Threadline could not be reached. Check your connection and try again.',
  401: 'Threadline refused HubSpot\'s signature on this request. Reload the page; if it keeps happening, ask an admin to reinstall Threadline.',
  404: 'This HubSpot account has no active Threadline installation. A super admin installs Threadline from the App Marketplace.',
  429: 'Too many requests from this account right now. Try again in a few seconds.',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Enough of a check that a thread answer has the shape the card renders (the backend is ours; HubSpot's proxy may not be). */
function isThread(value: unknown): value is CardThread {
  return isObject(value) && isObject(value.window) && typeof value.window.open === 'boolean' && typeof value.consent === 'string'
    && Array.isArray(value.messages) && Array.isArray(value.templates);
}

function problemOf(status: number, body: unknown): CardProblem {
  const message = isObject(body) && typeof body.message === 'string' ? body.message : FALLBACK[status] ?? `Threadline answered ${status}. Try again in a minute.`;
  const code = isObject(body) && typeof body.code === 'string' ? body.code : status === 0 ? 'NETWORK' : `HTTP_${status}`;
  const templates = isObject(body) && Array.isArray(body.templates) ? (body.templates as CardTemplate[]) : undefined;
  return templates === undefined ? { status, code, message } : { status, code, message, templates };
}

export function createCardApi(fetcher: Fetcher, record: RecordRef, baseUrl: string = THREADLINE_URL) {
  const query = `portalId=${record.portalId}&userId=${record.userId}&objectTypeId=${encodeURIComponent(record.objectTypeId)}&objectId=${record.objectId}`;

  async function post<T>(op: string, body: Record<string, unknown>, accept: (value: unknown) => value is T): Promise<CardResult<T>> {
    let response: Awaited<ReturnType<Fetcher>>;
    try {
      response = await fetcher(`${baseUrl}/connectors/hubspot/card/${op}?${query}`, { method: 'POST', body });
    } catch {
      return { ok: false, problem: problemOf(0, null) };
    }
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) return { ok: false, problem: problemOf(response.status, json) };
    if (!accept(json)) return { ok: false, problem: { status: response.status, code: 'BAD_RESPONSE', message: 'Threadline sent an answer the card cannot read. Reload the page; if it keeps happening, contact support.' } };
    return { ok: true, value: json };
  }

  const isSent = (value: unknown): value is { messageId: string } => isObject(value) && typeof value.messageId === 'string';

  return {
    thread: () => post('thread', {}, isThread),
    send: (text: string, idempotencyKey: string) => post('send', { text, idempotencyKey }, isSent),
    sendTemplate: (template: Pick<CardTemplate, 'name' | 'language'>, parameters: TemplateParameters, idempotencyKey: string) =>
      post('template', { name: template.name, language: template.language, parameters, idempotencyKey }, isSent),
  };
}

export type CardApi = ReturnType<typeof createCardApi>;

/** One per click of Send, kept until Threadline answers, so a retry after a network error sends once. */
export function newIdempotencyKey(): string {
  const random = Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32).toString(36)).join('');
  return `card-${Date.now().toString(36)}-${random}`;
}

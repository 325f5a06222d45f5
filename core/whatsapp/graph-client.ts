import { z } from 'zod';
import { GraphApiError, graphErrorBodySchema } from './graph-error';

export interface GraphClientOptions {
  /** e.g. `https://graph.facebook.com` (a fake's URL in tests). */
  baseUrl: string;
  /** e.g. `v24.0`. */
  version: string;
  /** Per Graph API call. Default 10 s. */
  timeoutMs?: number;
  /** Per media download (files reach 100 MB). Default 60 s. */
  downloadTimeoutMs?: number;
  /**
   * Origins a media download may send the bearer token to, besides `baseUrl`'s own.
   * Default: Meta's media host. Guards against leaking a token to a URL taken from a payload.
   */
  mediaOrigins?: string[];
}

export interface PhoneNumberInfo {
  id: string;
  /** As Graph formats it (`+1 555-000-2222`); webhooks carry digits only. */
  displayPhoneNumber: string;
  verifiedName: string;
  /** GREEN / YELLOW / RED, or NA / UNKNOWN for new numbers. */
  qualityRating: string | undefined;
  /** `throughput.level`, e.g. STANDARD / HIGH. */
  throughputLevel: string | undefined;
  /** Portfolio messaging limit (v24+), e.g. TIER_2K / TIER_UNLIMITED. */
  messagingLimitTier: string | undefined;
}

export interface MediaUrlInfo {
  id: string;
  /** Valid about 5 minutes, and only with the bearer token. */
  url: string;
  mimeType: string;
  /** Encoding is not settled (hex here, base64 in webhooks, §10.4): treat as opaque. */
  sha256: string | undefined;
  fileSize: number | undefined;
}

export interface DownloadedMedia {
  data: Buffer;
  contentType: string;
}

export const phoneNumberFields = [
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'throughput',
  'whatsapp_business_manager_messaging_limit',
] as const;

// Optional fields use .catch so an unexpected shape for a detail never fails the whole lookup.
const phoneNumberSchema = z.object({
  id: z.string(),
  display_phone_number: z.string(),
  verified_name: z.string(),
  quality_rating: z.string().optional().catch(undefined),
  throughput: z.object({ level: z.string() }).optional().catch(undefined),
  whatsapp_business_manager_messaging_limit: z.string().optional().catch(undefined),
});

const mediaUrlSchema = z.object({
  id: z.string(),
  url: z.url(),
  mime_type: z.string(),
  sha256: z.string().optional().catch(undefined),
  // Meta's syntax block doesn't say number or string; accept both.
  file_size: z.coerce.number().int().nonnegative().optional().catch(undefined),
});

const successSchema = z.object({ success: z.literal(true) });

const sendResponseSchema = z.object({
  contacts: z.array(z.looseObject({ wa_id: z.string().optional() })).optional(),
  messages: z.tuple([z.looseObject({ id: z.string().min(1), message_status: z.string().optional() })], z.unknown()),
});

const uploadResponseSchema = z.object({ id: z.string().min(1) });

export interface SentMessageInfo {
  wamid: string;
  /** Meta may rewrite Brazilian/Mexican numbers (§4.1). */
  waId: string | undefined;
  /** Template sends: `accepted`, or a queued state such as `held_for_quality_assessment`. */
  messageStatus: string | undefined;
}

const metaMediaOrigin = 'https://lookaside.fbsbx.com';

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
}

/** A small typed client for the parts of the Graph API Threadline uses. Tokens are per call: each number has its own. */
export class GraphClient {
  private readonly apiRoot: string;
  private readonly timeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly mediaOrigins: Set<string>;

  constructor(options: GraphClientOptions) {
    if (!/^v\d+\.\d+$/.test(options.version)) throw new Error(`Graph API version must look like v24.0, got "${options.version}"`);
    const base = new URL(options.baseUrl);
    this.apiRoot = `${base.origin}${base.pathname.replace(/\/+$/, '')}/${options.version}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 60_000;
    this.mediaOrigins = new Set([base.origin, ...(options.mediaOrigins ?? [metaMediaOrigin]).map((o) => new URL(o).origin)]);
  }

  async getPhoneNumber(phoneNumberId: string, token: string): Promise<PhoneNumberInfo> {
    const raw = await this.request('GET', segment(phoneNumberId), token, { query: { fields: phoneNumberFields.join(',') } });
    const p = parseSuccess(phoneNumberSchema, raw);
    return {
      id: p.id,
      displayPhoneNumber: p.display_phone_number,
      verifiedName: p.verified_name,
      qualityRating: p.quality_rating,
      throughputLevel: p.throughput?.level,
      messagingLimitTier: p.whatsapp_business_manager_messaging_limit,
    };
  }

  /** `phoneNumberId` makes Meta check the media belongs to that number. */
  async getMediaUrl(mediaId: string, token: string, phoneNumberId?: string): Promise<MediaUrlInfo> {
    const query = phoneNumberId === undefined ? undefined : { phone_number_id: phoneNumberId };
    const m = parseSuccess(mediaUrlSchema, await this.request('GET', segment(mediaId), token, { query }));
    return { id: m.id, url: m.url, mimeType: m.mime_type, sha256: m.sha256, fileSize: m.file_size };
  }

  /** A 404 means the 5-minute URL expired: the error has `mediaUrlExpired` set; get a new URL and retry. */
  async downloadMedia(url: string, token: string): Promise<DownloadedMedia> {
    let target: URL;
    try {
      target = new URL(url);
    } catch (cause) {
      throw new GraphApiError('Media URL is not a valid URL', { reason: 'untrusted_url', kind: 'permanent', cause });
    }
    if (!this.mediaOrigins.has(target.origin)) {
      throw new GraphApiError(`Refusing to send the access token to ${target.origin}`, { reason: 'untrusted_url', kind: 'permanent' });
    }
    const res = await this.send(target, { method: 'GET', headers: { Authorization: `Bearer ${token}` } }, this.downloadTimeoutMs);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new GraphApiError('Media URL expired or unknown (404): fetch a new URL', {
        reason: 'media_url_expired',
        httpStatus: 404,
        kind: 'retryable',
      });
    }
    if (!res.ok) throw await errorFrom(res);
    const data = Buffer.from(await this.readBody(res, () => res.arrayBuffer()));
    return { data, contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
  }

  /** Marks `wamid` (and earlier messages in the thread) read; `typing` also shows the typing indicator for up to 25 s. */
  async markAsRead(phoneNumberId: string, token: string, wamid: string, options: { typing?: boolean } = {}): Promise<void> {
    // Key order as in Meta's examples (fixtures mark-as-read-request.json, typing-indicator-request.json).
    const body: Record<string, unknown> = { messaging_product: 'whatsapp', status: 'read', message_id: wamid };
    if (options.typing) body.typing_indicator = { type: 'text' };
    parseSuccess(successSchema, await this.request('POST', `${segment(phoneNumberId)}/messages`, token, { body }));
  }

  /**
   * One page of a WABA's message templates (§6.1). Follow `nextCursor` until it is undefined; the cursor is
   * used rather than `paging.next`, whose URL points at Meta's host and carries the token in its query.
   */
  async listTemplates(wabaId: string, token: string, options: ListTemplatesOptions = {}): Promise<TemplatePage> {
    const query: Record<string, string> = { fields: templateFields.join(','), limit: String(options.limit ?? 100) };
    if (options.after !== undefined) query.after = options.after;
    if (options.status !== undefined) query.status = options.status;
    const page = parseSuccess(templatePageSchema, await this.request('GET', `${segment(wabaId)}/message_templates`, token, { query }));
    const next = page.paging?.next;
    // `next` is Graph's "there is more"; a next without a cursor would end the listing early and make a
    // caller believe templates were deleted, so it is an error rather than the last page.
    const nextCursor = next === undefined ? undefined : page.paging?.cursors?.after ?? cursorIn(next);
    if (next !== undefined && nextCursor === undefined) {
      throw new GraphApiError('Graph API listed more templates without an `after` cursor', { reason: 'unexpected_response', kind: 'permanent' });
    }
    return {
      templates: page.data.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category,
        parameterFormat: t.parameter_format,
        components: t.components,
      })),
      nextCursor,
    };
  }

  /** Embedded Signup's code → the customer's business token. The code lives about 30 s and works once. */
  async exchangeCode(code: string, app: { id: string; secret: string }): Promise<string> {
    // No bearer: the app authenticates with its secret in the query (errors name the path only, never the URL).
    const raw = await this.request('GET', 'oauth/access_token', undefined, { query: { client_id: app.id, client_secret: app.secret, code } });
    return parseSuccess(z.object({ access_token: z.string().min(1) }), raw).access_token;
  }

  /** The apps that get this WABA's webhooks. */
  async subscribedApps(wabaId: string, token: string): Promise<Array<{ id: string; name: string | undefined }>> {
    const raw = await this.request('GET', `${segment(wabaId)}/subscribed_apps`, token, {});
    const apps = parseSuccess(z.object({ data: z.array(z.object({ whatsapp_business_api_data: z.looseObject({ id: z.string(), name: z.string().optional() }) })) }), raw);
    return apps.data.map((a) => ({ id: a.whatsapp_business_api_data.id, name: a.whatsapp_business_api_data.name }));
  }

  /** Subscribes the token's app to the WABA's webhooks (messages, statuses, template and quality updates). */
  async subscribeApp(wabaId: string, token: string): Promise<void> {
    parseSuccess(successSchema, await this.request('POST', `${segment(wabaId)}/subscribed_apps`, token, {}));
  }

  /** Registers the number on Cloud API; `pin` is its two-step verification PIN (set by this call if it had none). */
  async registerPhoneNumber(phoneNumberId: string, token: string, pin: string): Promise<void> {
    parseSuccess(successSchema, await this.request('POST', `${segment(phoneNumberId)}/register`, token, { body: { messaging_product: 'whatsapp', pin } }));
  }

  private async request(method: 'GET' | 'POST', path: string, token: string | undefined, options: RequestOptions): Promise<unknown> {
    const url = new URL(`${this.apiRoot}/${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await this.send(url, { method, headers, body }, this.timeoutMs);
    if (!res.ok) throw await errorFrom(res);
    const text = await this.readBody(res, () => res.text());
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new GraphApiError('Graph API answered 2xx with a body that is not JSON', {
        reason: 'unexpected_response',
        httpStatus: res.status,
        kind: 'permanent',
        cause,
      });
    }
  }

  /** fetch, with network failures and timeouts turned into retryable GraphApiErrors. */
  private async send(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw transportError(cause, `${init.method ?? 'GET'} ${url.origin}${url.pathname}`);
    }
  }

  /** The timeout signal also covers reading the body, so a stalled stream fails the same way. */
  private async readBody<T>(res: Response, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (cause) {
      // The path only: a query may carry the app secret (oauth/access_token).
      throw transportError(cause, `reading response ${res.url.split('?')[0]}`);
    }
  }

  /**
   * POST /{phone-number-id}/messages with a body built by core/send (§4). Meta's answer names the
   * message (wamid); `messageStatus` is `accepted`, or another value (e.g. `held_for_quality_assessment`)
   * meaning queued by template pacing, not failed (§4.4).
   */
  async sendMessage(phoneNumberId: string, token: string, body: Record<string, unknown>): Promise<SentMessageInfo> {
    const raw = await this.request('POST', `${segment(phoneNumberId)}/messages`, token, { body });
    const sent = parseSuccess(sendResponseSchema, raw);
    const [message] = sent.messages;
    return { wamid: message.id, waId: sent.contacts?.[0]?.wa_id, messageStatus: message.message_status };
  }

  /** POST /{phone-number-id}/media, multipart as Meta documents it (§5); the id is valid 30 days. */
  async uploadMedia(phoneNumberId: string, token: string, file: { data: Buffer; mimeType: string; filename: string }): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    form.set('file', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename);
    const url = new URL(`${this.apiRoot}/${segment(phoneNumberId)}/media`);
    // fetch sets the multipart boundary itself; uploads get the download timeout (files reach 100 MB).
    const res = await this.send(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form }, this.downloadTimeoutMs);
    if (!res.ok) throw await errorFrom(res);
    const text = await this.readBody(res, () => res.text());
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new GraphApiError('Graph API answered 2xx with a body that is not JSON', { reason: 'unexpected_response', httpStatus: res.status, kind: 'permanent', cause });
    }
    return parseSuccess(uploadResponseSchema, json).id;
  }
}

function transportError(cause: unknown, what: string): GraphApiError {
  // Duck-typed: fetch's DOMException may come from another realm (jest, workers), where instanceof fails.
  const name = typeof cause === 'object' && cause !== null && 'name' in cause ? cause.name : undefined;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  return new GraphApiError(`${timedOut ? 'Timed out' : 'Network error'}: ${what}`, {
    reason: timedOut ? 'timeout' : 'network',
    kind: 'retryable',
    cause,
  });
}

/** Builds the error for a non-2xx answer from Meta's body when there is one, else from the status alone. */
async function errorFrom(res: Response): Promise<GraphApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The status is enough to classify; the body was only a bonus.
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = graphErrorBodySchema.safeParse(json);
  if (parsed.success) return GraphApiError.fromBody(parsed.data, res.status);
  return new GraphApiError(`Graph API answered HTTP ${res.status} without an error body`, {
    reason: 'http_status',
    httpStatus: res.status,
    details: text.slice(0, 200) || undefined,
  });
}

function parseSuccess<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new GraphApiError(`Unexpected Graph API response: ${z.prettifyError(parsed.error)}`, {
    reason: 'unexpected_response',
    kind: 'permanent',
  });
}

/** Ids go into the path; encoding keeps a hostile id from changing the route. */
function segment(id: string): string {
  if (id.length === 0) throw new Error('Graph object id must not be empty');
  return encodeURIComponent(id);
}

/** What `listTemplates` asks for: everything a sender needs to check parameters. */
export const templateFields = ['name', 'category', 'status', 'language', 'components', 'parameter_format', 'id'] as const;

export interface ListTemplatesOptions {
  /** Page size. Default 100. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  after?: string;
  /** Only templates in this status (e.g. APPROVED). */
  status?: string;
}

export interface GraphTemplate {
  id: string;
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … (§6.2) */
  status: string;
  /** MARKETING, UTILITY, AUTHENTICATION */
  category: string;
  /** Templates made before named parameters existed carry none: they are positional. */
  parameterFormat: 'POSITIONAL' | 'NAMED';
  /** HEADER / BODY / FOOTER / BUTTONS as Meta returns them. */
  components: Record<string, unknown>[];
}

export interface TemplatePage {
  templates: GraphTemplate[];
  /** Undefined on the last page. */
  nextCursor: string | undefined;
}

const templatePageSchema = z.object({
  data: z.array(z.object({
    // Graph ids are strings; a number would still be the same id.
    id: z.union([z.string(), z.number().int()]).transform(String),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string(),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional().catch(undefined).transform((f) => f ?? 'POSITIONAL'),
    components: z.array(z.record(z.string(), z.unknown())),
  })),
  paging: z.object({
    cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
    next: z.string().optional(),
  }).optional(),
});

/** The `after` parameter of a `paging.next` URL, when Graph sent a next link but no cursors. */
function cursorIn(nextUrl: string): string | undefined {
  try {
    return new URL(nextUrl).searchParams.get('after') ?? undefined;
  } catch {
    return undefined;
  }
}

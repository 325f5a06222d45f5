import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { readConversationMedia } from '../../../core/conversations/conversation-media';
import { isStorableText } from '../../../core/db/storable-text';
import { readConversationThread, type RecordLinkView } from '../../../core/conversations/conversation-thread';
import { listConversations, type ConversationSummary, type MessageView } from '../../../core/conversations/read-conversations';
import { listNumbers } from '../../../core/numbers/register-number';
import { badge, dataTable, pager, selectField, timeTag, type BadgeTone } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { html, type Html } from '../html';
import { consoleLocals, sendConsolePage } from '../layout';

const PATH = '/admin/conversations';
const PAGE_SIZE = 25;

const blank = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** The filter form's GET parameters (bookmarkable); a problem is shown above the form, naming the field. */
/** Free text that reaches SQL: PostgreSQL cannot compare with a NUL, so it is a problem to show, not a 500. */
const searchText = z.string().trim().max(200).refine(isStorableText, 'must not contain a NUL character');
const searchQuery = z.object({
  q: optional(searchText),
  number: optional(z.string().regex(/^\d+$/, 'pick one of the numbers')),
  status: optional(z.enum(['open', 'pending', 'closed'])),
  assignee: optional(searchText),
  platform: optional(z.string().regex(/^[a-z][a-z0-9-]*$/, 'pick one of the platforms')),
  from: optional(z.iso.date('must be a date (YYYY-MM-DD)')),
  to: optional(z.iso.date('must be a date (YYYY-MM-DD)')),
  cursor: optional(z.string().max(200).refine(isStorableText, 'is not a page link this console made')),
}).refine((s) => !s.from || !s.to || s.from <= s.to, { path: ['to'], message: 'must not be before the "from" date' });
type SearchQuery = z.infer<typeof searchQuery>;

const threadParams = z.object({ id: z.uuid() });
const mediaParams = z.object({ id: z.uuid(), messageId: z.uuid() });

/** Raster formats a browser shows in an <img>; anything else (SVG included) is offered as a download only. */
const INLINE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

const STATUS_TONE: Record<string, BadgeTone> = { open: 'ok', pending: 'warn', closed: 'neutral', failed: 'error', read: 'ok', delivered: 'ok', played: 'ok' };
const tone = (status: string): BadgeTone => STATUS_TONE[status] ?? 'neutral';

const phone = (waId: string | null) => (waId ? `+${waId}` : null);
const contactName = (c: ConversationSummary['contact']) => c.profile_name ?? phone(c.wa_id) ?? (c.username ? `@${c.username}` : null) ?? 'Unknown customer';
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);

function problemsAlert(problems: readonly string[]): Html {
  return html`<div class="notice notice-error" role="alert"><p>The search was not run:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
}

function searchForm(query: Partial<SearchQuery>, numbers: ReadonlyArray<{ value: string; label: string }>, platforms: ReadonlyArray<{ value: string; label: string }>): Html {
  return html`<form class="inline search" method="get" action="${PATH}" role="search" aria-label="Filter conversations">
<label>Text, name or phone<input type="search" name="q" value="${query.q ?? ''}"></label>
${selectField({ name: 'number', label: 'Number', value: query.number, choices: [{ value: '', label: 'Any number' }, ...numbers] })}
${selectField({ name: 'status', label: 'Status', value: query.status, choices: [{ value: '', label: 'Any status' }, { value: 'open', label: 'Open' }, { value: 'pending', label: 'Pending' }, { value: 'closed', label: 'Closed' }] })}
<label>Assignee<input type="text" name="assignee" value="${query.assignee ?? ''}"></label>
${selectField({ name: 'platform', label: 'Platform', value: query.platform, choices: [{ value: '', label: 'Any platform' }, ...platforms] })}
<label>Active from<input type="date" name="from" value="${query.from ?? ''}"></label>
<label>Active to<input type="date" name="to" value="${query.to ?? ''}"></label>
<button type="submit">Search</button> <a href="${PATH}">Clear</a>
</form>`;
}

function assigneeText(deps: ConsoleDeps, a: ConversationSummary['assignee']): Html {
  return a ? html`${a.name ?? a.id} <span class="muted">on ${deps.registry.get(a.platform)?.displayName ?? a.platform}</span>` : html`<span class="muted">nobody</span>`;
}

function windowText(c: ConversationSummary): Html {
  if (c.window_open) return html`${badge('open', 'ok')} until ${timeTag(c.window_expires_at)}`;
  return c.window_expires_at ? html`${badge('closed')} since ${timeTag(c.window_expires_at)}` : html`${badge('closed')} <span class="muted">the customer never wrote</span>`;
}

function listPage(deps: ConsoleDeps) {
  return async (req: Request, res: Response) => {
    const ws = consoleLocals(res).session.workspaceId;
    const parsed = searchQuery.safeParse(req.query);
    const numbers = (await listNumbers(deps.db, ws)).map((n) => ({ value: n.phone_number_id, label: n.display_phone_number ? `+${n.display_phone_number}` : n.phone_number_id }));
    const platforms = deps.registry.list().map((c) => ({ value: c.id, label: c.displayName }));
    const render = (query: Partial<SearchQuery>, results: Html) => sendConsolePage(res, {
      title: 'Conversations', section: 'conversations', styles: ['conversations.css'],
      body: html`${searchForm(query, numbers, platforms)}${results}`,
    });
    if (!parsed.success) {
      render({}, problemsAlert(parsed.error.issues.map((i) => `${i.path.join('.') || 'search'}: ${i.message}`)));
      return;
    }
    const query = parsed.data;
    const found = await listConversations(deps.db, ws, {
      status: query.status, phoneNumberId: query.number, assignee: query.assignee, platform: query.platform, text: query.q,
      activeFrom: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined, activeBefore: query.to ? nextDay(query.to) : undefined,
      cursor: query.cursor, limit: PAGE_SIZE,
    });
    if ('error' in found) {
      render(query, problemsAlert(['This page link is out of date: search again from the first page.']));
      return;
    }
    const numberLabel = new Map(numbers.map((n) => [n.value, n.label]));
    const { cursor, ...filters } = query;
    render(query, html`${dataTable({
      caption: 'Conversations, most recently active first',
      rows: found.items,
      empty: 'No conversation matches these filters.',
      columns: [
        { label: 'Customer', cell: (c) => html`<a href="${PATH}/${c.id}">${contactName(c.contact)}</a>${c.contact.profile_name && c.contact.wa_id ? html`<br><small>${phone(c.contact.wa_id)}</small>` : ''}` },
        { label: 'Number', cell: (c) => numberLabel.get(c.phone_number_id) ?? c.phone_number_id },
        { label: 'Status', cell: (c) => badge(c.status, tone(c.status)) },
        { label: 'Held by', cell: (c) => assigneeText(deps, c.assignee) },
        { label: 'Last activity', cell: (c) => timeTag(c.last_message_at) },
        { label: '24-hour window', cell: (c) => windowText(c) },
      ],
    })}
${pager(PATH, filters, { older: found.nextCursor ? { cursor: found.nextCursor } : undefined, newer: cursor ? { cursor: '' } : undefined })}`);
  };
}

/** Meta's `errors` of a status webhook: code and title are what a person can look up. */
const statusErrors = z.array(z.looseObject({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).catch([]);

function mediaView(conversationId: string, m: MessageView): Html {
  const media = m.media;
  if (!media) return html``;
  if (media.state !== 'stored') {
    return html`<p class="muted">${media.mime_type} file ${media.state === 'failed' ? 'could not be downloaded from WhatsApp' : 'not downloaded from WhatsApp yet'}.</p>`;
  }
  const href = `${PATH}/${conversationId}/media/${m.id}`;
  const name = media.filename ?? `whatsapp-${m.id}`;
  const download = html`<a href="${href}" download="${name}">Download ${name}</a> <small class="muted">${media.mime_type}${media.size_bytes ? `, ${Math.ceil(media.size_bytes / 1024)} KB` : ''}</small>`;
  if (!INLINE_IMAGES.has(media.mime_type)) return html`<p>${download}</p>`;
  return html`<figure><img src="${href}" alt="${m.text ?? `Image sent by ${m.direction === 'inbound' ? 'the customer' : 'the business'}`}"><figcaption>${download}</figcaption></figure>`;
}

function messageView(conversationId: string, m: MessageView): Html {
  const reactions = Object.entries(m.reactions);
  const history = m.statuses;
  return html`<li class="message message-${m.direction}">
<article aria-label="${m.direction === 'inbound' ? 'From the customer' : 'From the business'}, ${m.sent_at.toISOString()}">
<p class="meta"><strong>${m.direction === 'inbound' ? 'Customer' : 'Business'}</strong> ${badge(m.type)} ${timeTag(m.sent_at)} ${badge(m.status, tone(m.status))}${m.forwarded ? html` ${badge('forwarded')}` : ''}</p>
${m.text ? html`<p class="text">${m.text}</p>` : m.media ? '' : html`<p class="muted">No text: a ${m.type} message.</p>`}
${mediaView(conversationId, m)}
${reactions.length ? html`<p class="reactions">Reactions: ${reactions.map(([who, emoji], i) => html`${i ? ', ' : ''}<span>${emoji}</span> <small>by ${phone(who) ?? who}</small>`)}</p>` : ''}
${m.error ? html`<p class="error" role="note"><strong>Error ${m.error.code}</strong>${m.error.title ? html`: ${m.error.title}` : ''}${m.error.details ? html` <small>(${m.error.details})</small>` : ''}</p>` : ''}
${history.length ? html`<details><summary>Status history (${history.length})</summary><ol class="history">${history.map((s) => html`<li>${badge(s.status, tone(s.status))} ${timeTag(s.occurred_at)}${statusErrors.parse(s.errors).map((e) => html` <span class="error">error ${e.code}${e.title ? `: ${e.title}` : ''}</span>`)}</li>`)}</ol></details>` : ''}
</article></li>`;
}

function linksTable(links: readonly RecordLinkView[]): Html {
  return dataTable({
    caption: 'Records of this conversation and its contact on each platform',
    rows: links,
    empty: 'No platform has a record of this conversation or its contact yet.',
    columns: [
      { label: 'Platform', cell: (l) => html`${l.platform} <small class="muted">${l.accountId}</small>${l.installationState === 'active' ? '' : html` ${badge(l.installationState.replaceAll('_', ' '), 'warn')}`}` },
      { label: 'Of the', cell: (l) => l.of },
      { label: 'Record', cell: (l) => l.externalType.replaceAll('_', ' ') },
      { label: 'Open', cell: (l) => (l.url ? html`<a href="${l.url}" rel="noopener noreferrer" target="_blank">${l.externalId}<span class="visually-hidden"> (opens ${l.platform} in a new tab)</span></a>` : html`<span class="muted">${l.externalId}</span>`) },
    ],
  });
}

/**
 * Conversations (issue 8 item 4): search and filter, then the thread with its media, statuses, errors, who holds it
 * and the records it has on each platform. Every read is scoped to the session's workspace: another workspace's id
 * is a 404 like an unknown one.
 */
export function conversationsPage(deps: ConsoleDeps): Router {
  const router = Router();
  router.get(PATH, listPage(deps));

  router.get(`${PATH}/:id`, async (req, res, next) => {
    const params = threadParams.safeParse(req.params);
    const thread = params.success ? await readConversationThread(deps, consoleLocals(res).session.workspaceId, params.data.id) : null;
    if (!thread) return next();
    const { conversation: c, number, consent, links } = thread;
    const contact = c.contact;
    sendConsolePage(res, {
      title: `Conversation with ${contactName(contact)}`, section: 'conversations', styles: ['conversations.css'],
      body: html`<p><a href="${PATH}">All conversations</a></p>
<dl class="facts">
<dt>Customer</dt><dd>${contact.profile_name ?? html`<span class="muted">no profile name</span>`}${contact.wa_id ? html` · ${phone(contact.wa_id)}` : ''}${contact.username ? html` · @${contact.username}` : ''}</dd>
<dt>Number</dt><dd>${number.display_phone_number ? `+${number.display_phone_number}` : c.phone_number_id}${number.verified_name ? html` <span class="muted">${number.verified_name}</span>` : ''}</dd>
<dt>Status</dt><dd>${badge(c.status, tone(c.status))} opened ${timeTag(c.opened_at)}${c.closed_at ? html`, closed ${timeTag(c.closed_at)}` : ''}</dd>
<dt>Held by</dt><dd>${assigneeText(deps, c.assignee)}</dd>
<dt>24-hour window</dt><dd>${windowText(c)}</dd>
<dt>Consent</dt><dd>${badge(consent.status.replaceAll('_', ' '), consent.status === 'opted_out' ? 'error' : consent.status === 'opted_in' ? 'ok' : 'neutral')} marketing ${consent.marketing}</dd>
</dl>
<h2 id="records-heading">Records on platforms</h2>
${linksTable(links)}
<h2 id="messages-heading">Messages <small class="muted">(${c.messages.length}, oldest first)</small></h2>
${c.messages.length ? html`<ol class="thread" aria-labelledby="messages-heading">${c.messages.map((m) => messageView(c.id, m))}</ol>` : html`<p class="muted">No messages.</p>`}`,
    });
  });

  // The file of a message, only through its own conversation in the session's workspace.
  router.get(`${PATH}/:id/media/:messageId`, async (req, res, next) => {
    const params = mediaParams.safeParse(req.params);
    if (!params.success) return next();
    const file = await readConversationMedia(deps.db, deps.blobs, consoleLocals(res).session.workspaceId, params.data.id, params.data.messageId);
    if (!file.ok) {
      res.status(file.code === 'NOT_FOUND' ? 404 : 409).type('text/plain').send(file.message);
      return;
    }
    res.set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.data.length),
      // Shown in an <img> only when it is a raster image; everything else is a download (the link names the file).
      'Content-Disposition': INLINE_IMAGES.has(file.contentType) ? 'inline' : 'attachment',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    res.status(200).end(file.data);
  });
  return router;
}

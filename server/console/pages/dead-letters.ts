import { Router, type Response } from 'express';
import { z } from 'zod';
import { listBotDeadLetters, replayBotDeadLetter } from '../../../core/automation/bot-dead-letters';
import { listInstallations } from '../../../core/connectors/installations';
import { listDeadLetters, replayDeadLetter, type DeadLetter } from '../../../core/inbox/dead-letters';
import { listSyncDeadLetters, replaySyncDeadLetter } from '../../../core/sync/sync-dead-letters';
import { badge, dataTable, pager, timeTag } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { html, type Html } from '../html';
import { consoleLocals, csrfField, sendConsolePage } from '../layout';

const PAGE_SIZE = 20;
const PATH = '/admin/dead-letters';

// A cursor that does not parse (an edited link) shows the first page rather than an error.
const listQuery = z.object({
  inbox_before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
  sync_before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
  bot_before: z.uuid().optional().catch(undefined),
});

const numericId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const replayParams = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('inbox'), id: numericId }),
  z.object({ kind: z.literal('sync'), id: numericId }),
  z.object({ kind: z.literal('bot'), id: z.uuid() }),
]);

/** The parts of an inbox payload (inbox-event.ts) that say what the event was. */
const inboxPayload = z.object({
  kind: z.string(),
  message: z.object({ type: z.string(), from: z.string().optional(), from_user_id: z.string().optional() }).optional(),
  status: z.object({ status: z.string(), recipient_id: z.string().optional() }).optional(),
  field: z.string().optional(),
});

function whatInbox(letter: DeadLetter): string {
  const payload = inboxPayload.safeParse(letter.payload);
  if (!payload.success) return letter.kind;
  const { message, status, field } = payload.data;
  const on = letter.phone_number_id ? ` on number ${letter.phone_number_id}` : '';
  if (message) return `${message.type} message from ${message.from ?? message.from_user_id ?? 'an unknown customer'}${on}`;
  if (status) return `"${status.status}" status for ${status.recipient_id ?? 'an unknown customer'}${on}`;
  if (field) return `${field} webhook item that did not parse`;
  return `${letter.kind.replaceAll('_', ' ')}${on}`;
}

function conversationLink(id: string | null): Html {
  if (!id) return html``;
  return html`<br><a href="/admin/conversations/${id}">Conversation ${id.slice(0, 8)}</a>`;
}

function why(error: string | null): Html {
  return error ? html`${error}` : html`<span class="muted">no error recorded</span>`;
}

/** The row's Replay button: a CSRF-carrying form for admins, a disabled button for viewers (explained once above the lists). */
function replayButton(res: Response, kind: 'inbox' | 'sync' | 'bot', id: number | string, label: string): Html {
  const { session } = consoleLocals(res);
  if (session.role !== 'admin') return html`<button type="button" disabled aria-describedby="viewer-note">Replay</button>`;
  return html`<form method="post" action="${PATH}/${kind}/${String(id)}/replay">${csrfField(session)}<button type="submit" aria-label="Replay ${label}">Replay</button></form>`;
}

/** One page of a list plus whether an older page exists, read with one row to spare. */
function pageOf<T>(rows: T[]): { rows: T[]; more: boolean } {
  return { rows: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE };
}

/**
 * Dead letters of every kind (issue 8 item 6): inbox events the engine could not process, sync events a
 * platform refused, messages the bot never took. Each kind pages on its own cursor; admins replay.
 */
export function deadLettersPage(deps: ConsoleDeps): Router {
  const router = Router();

  router.get(PATH, async (req, res) => {
    const { session } = consoleLocals(res);
    const ws = session.workspaceId;
    const query = listQuery.parse(req.query);
    const [inbox, sync, bot, installations] = await Promise.all([
      listDeadLetters(deps.db, ws, { limit: PAGE_SIZE + 1, beforeId: query.inbox_before }).then(pageOf),
      listSyncDeadLetters(deps.db, ws, { limit: PAGE_SIZE + 1, beforeId: query.sync_before }).then(pageOf),
      listBotDeadLetters(deps.db, ws, { limit: PAGE_SIZE + 1, beforeId: query.bot_before }).then(pageOf),
      listInstallations(deps.db, ws),
    ]);
    const accountOf = new Map(installations.map((i) => [i.id, i.account_id]));
    const cursors = { inbox_before: query.inbox_before?.toString(), sync_before: query.sync_before?.toString(), bot_before: query.bot_before };
    // "Newer" goes back to the section's newest page: the lists page backwards only.
    const links = (key: keyof typeof cursors, last: string | number | undefined, more: boolean) =>
      pager(PATH, cursors, { older: more && last !== undefined ? { [key]: String(last) } : undefined, newer: cursors[key] ? { [key]: '' } : undefined });

    const body = html`
<p>What failed for good after its retries, and why. Fix the cause (connect the number, reinstall the platform, bring the bot back), then replay: the item goes back in its queue with fresh attempts.</p>
${session.role === 'admin' ? '' : html`<p id="viewer-note" class="notice notice-error">You are signed in as a viewer: replaying needs an admin of this workspace.</p>`}
<section aria-labelledby="inbox-heading">
<h2 id="inbox-heading">Inbox events the engine could not process</h2>
${dataTable({
    caption: 'Inbox dead letters, newest first',
    rows: inbox.rows,
    empty: 'No inbox event failed for good.',
    columns: [
      { label: 'When', cell: (d) => timeTag(d.received_at) },
      { label: 'What', cell: (d) => html`${badge(d.kind)} ${whatInbox(d)}${conversationLink(d.conversation_id)}` },
      { label: 'Why', cell: (d) => why(d.last_error) },
      { label: 'Attempts', numeric: true, cell: (d) => d.attempts },
      { label: 'Replay', cell: (d) => (d.kind === 'malformed' ? html`<span class="muted">not replayable: it did not parse</span>` : replayButton(res, 'inbox', d.id, `inbox event ${d.id}`)) },
    ],
  })}
${links('inbox_before', inbox.rows.at(-1)?.id, inbox.more)}
</section>
<section aria-labelledby="sync-heading">
<h2 id="sync-heading">Sync events a platform refused</h2>
${dataTable({
    caption: 'Sync dead letters, newest first',
    rows: sync.rows,
    empty: 'Every platform took every event.',
    columns: [
      { label: 'When', cell: (d) => timeTag(d.occurred_at) },
      { label: 'What', cell: (d) => html`${badge(d.type)} to ${d.connector} ${accountOf.get(d.installation_id) ?? d.installation_id}${conversationLink(d.conversation_id)}` },
      { label: 'Why', cell: (d) => why(d.last_error) },
      { label: 'Attempts', numeric: true, cell: (d) => d.attempts },
      { label: 'Replay', cell: (d) => replayButton(res, 'sync', d.id, `sync event ${d.id}`) },
    ],
  })}
${links('sync_before', sync.rows.at(-1)?.id, sync.more)}
</section>
<section aria-labelledby="bot-heading">
<h2 id="bot-heading">Messages the bot never took</h2>
${dataTable({
    caption: 'Bot dead letters, newest first',
    rows: bot.rows,
    empty: 'The bot took every message forwarded to it.',
    columns: [
      { label: 'When', cell: (d) => timeTag(d.finished_at) },
      { label: 'What', cell: (d) => html`${badge('bot forward')} customer message${conversationLink(d.conversation_id)}` },
      { label: 'Why', cell: (d) => why(d.last_error) },
      { label: 'Attempts', numeric: true, cell: (d) => d.attempts },
      { label: 'Replay', cell: (d) => replayButton(res, 'bot', d.id, `bot forward ${d.id.slice(0, 8)}`) },
    ],
  })}
${links('bot_before', bot.rows.at(-1)?.id, bot.more)}
</section>`;
    sendConsolePage(res, { title: 'Dead letters', section: 'dead-letters', body });
  });

  // Admin-only and CSRF-checked by the console router before it gets here.
  router.post(`${PATH}/:kind/:id/replay`, async (req, res) => {
    const { session } = consoleLocals(res);
    const ws = session.workspaceId;
    const params = replayParams.safeParse(req.params);
    const notFound = () => sendConsolePage(res, {
      title: 'Not found', section: 'dead-letters', status: 404,
      body: html`<p>There is no such dead letter in this workspace: it may have been replayed already.</p><p><a href="${PATH}">Back to the dead letters</a></p>`,
    });
    if (!params.success) return notFound();
    const p = params.data;
    let result: { ok: true } | { ok: false; code: string; message: string };
    let label: string;
    if (p.kind === 'inbox') {
      result = await replayDeadLetter(deps.db, ws, p.id, session.actor);
      label = `Inbox event ${p.id}`;
    } else if (p.kind === 'sync') {
      result = await replaySyncDeadLetter(deps.db, ws, p.id, session.actor);
      label = `Sync event ${p.id}`;
    } else {
      result = await replayBotDeadLetter(deps.db, ws, p.id, session.actor);
      label = `Bot forward ${p.id.slice(0, 8)}`;
    }
    if (!result.ok && result.code === 'NOT_FOUND') return notFound();
    await redirectWithNotice(deps.db, res, PATH, result.ok
      ? { kind: 'success', text: `${label} replayed: it is back in its queue with fresh attempts.` }
      : { kind: 'error', text: `${label} was not replayed: ${result.message}` });
  });

  return router;
}

import crypto from 'node:crypto';
import request from 'supertest';
import { textWebhook } from '../admin/admin-helpers';
import type { ZendeskFake } from '../fakes/zendesk/zendesk-fake';

/** A customer's image message: the text fixture with its message swapped for an image (ids from the Meta fake's media). */
export function imageWebhook(m: { wamid: string; from: string; name: string; timestamp: number; caption: string; mediaId: string }): string {
  const payload: unknown = JSON.parse(textWebhook({ wamid: m.wamid, from: m.from, name: m.name, timestamp: m.timestamp, body: 'x' }));
  const text = JSON.stringify(payload);
  const replaced = text.replace(
    /"type":"text","text":\{"body":"x"\}/,
    `"type":"image","image":${JSON.stringify({ caption: m.caption, mime_type: 'image/jpeg', sha256: crypto.createHash('sha256').update(m.mediaId).digest('base64'), id: m.mediaId })}`,
  );
  if (replaced === text) throw new Error('the text fixture changed shape');
  return replaced;
}

export interface ChannelbackForm {
  message: string;
  thread_id?: string;
  recipient_id?: string;
  metadata?: string;
  request_unique_identifier?: string;
  parent_id?: string;
}

/** What Zendesk posts to the manifest's channelback_url: form-encoded (reference §1.6). */
export function postChannelback(url: string, form: ChannelbackForm): request.Test {
  const body = new URLSearchParams(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return request(url).post('/connectors/zendesk/channelback').set('content-type', 'application/x-www-form-urlencoded').send(body);
}

export interface ThreadComment {
  body: string;
  /** The author's external id. */
  author: string | null;
  external_id: string | null;
  public: boolean;
}

/** The comments of the ticket a thread landed on, oldest first. */
export function commentsOfThread(zendesk: ZendeskFake, subdomain: string, threadId: string): ThreadComment[] {
  const account = zendesk.state.account(subdomain);
  const ticket = account.ticketForThread(threadId);
  if (!ticket) return [];
  return account.commentsOf(ticket.id).map((c) => ({ body: c.body, author: account.users.get(c.author_id)?.external_id ?? null, external_id: c.external_id, public: c.public }));
}

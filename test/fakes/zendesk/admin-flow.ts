import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { lifecycleEvent } from './event-callbacks';
import type { PushInstance } from './fake-account';
import type { ZendeskFakeState } from './fake-state';
import { accountOf } from './http-helpers';

/** What the integration's page posted back to Zendesk's return_url (reference §1.3 step 3). */
export interface ReturnedAccount {
  subdomain: string;
  instancePushId: string;
  name: string;
  metadata: string;
  state: string;
}

export const RETURN_PATH = '/admin/channels/any_channel/return';

const returned = z.object({ name: z.string().min(1).max(255), metadata: z.string().max(5_000), state: z.string().max(5_000) });

/**
 * Zendesk's side of the admin UI's hand-back: records name/metadata/state for the instance named in the
 * return_url and, as Zendesk does once the account exists, sends `create_integration_instance`.
 * Metadata or state over 5,000 characters, or no name, is refused as Zendesk's form would.
 */
export function adminFlowRouter(accounts: ReturnedAccount[], deliverEvents: (url: string, events: unknown[]) => void): express.Router {
  const router = express.Router();
  router.post(RETURN_PATH, (req: Request, res: Response) => {
    const account = accountOf(req);
    const instance = account.pushInstances.get(String(req.query.instance ?? ''));
    const body = returned.safeParse(req.body);
    if (!instance || !body.success) {
      res.status(422).type('text/html').send('<html><body>The integration account could not be saved.</body></html>');
      return;
    }
    accounts.push({ subdomain: account.subdomain, instancePushId: instance.instancePushId, ...body.data });
    instance.metadata = body.data.metadata;
    if (instance.eventCallbackUrl) deliverEvents(instance.eventCallbackUrl, [lifecycleEvent(account, instance, 'create_integration_instance', body.data.metadata, account.timestamp())]);
    res.status(200).type('text/html').send('<html><body>Integration account saved.</body></html>');
  });
  return router;
}

/** A page of the integration as a browser would see it, with its first form read out. */
export interface AdminPage {
  status: number;
  url: string;
  html: string;
  form: { action: string; fields: Record<string, string>; textInputs: string[]; radios: Record<string, string[]> } | undefined;
}

/**
 * A Zendesk admin creating an integration account, as the browser in Zendesk's iframe does it: reads the
 * manifest, posts the admin_ui form with a new instance's push token, then submits our pages and follows
 * redirects (the OAuth authorisation on the fake approves at once) until the page posts back to return_url.
 */
export class FakeZendeskAdmin {
  instance: PushInstance | undefined;

  constructor(private readonly fake: { origin: string; state: ZendeskFakeState }, readonly subdomain: string) {}

  returnUrl(instancePushId: string): string {
    return `${this.fake.origin}/${this.subdomain}${RETURN_PATH}?instance=${encodeURIComponent(instancePushId)}`;
  }

  /** Step 1: the admin_ui POST. `overrides` replace or add form fields (a forged token, a foreign return_url, …). */
  async open(manifestUrl: string, overrides: Record<string, string> = {}, instance?: PushInstance): Promise<AdminPage> {
    const manifest = z.object({ push_client_id: z.string(), urls: z.object({ admin_ui: z.url(), event_callback_url: z.url(), channelback_url: z.url() }) })
      .parse(await (await fetch(manifestUrl)).json());
    this.instance = instance ?? this.fake.state.addPushInstance(this.subdomain, { eventCallbackUrl: manifest.urls.event_callback_url });
    this.instance.channelbackUrl = manifest.urls.channelback_url;
    return this.post(manifest.urls.admin_ui, {
      return_url: this.returnUrl(this.instance.instancePushId),
      subdomain: this.subdomain,
      locale: 'en-US',
      instance_push_id: this.instance.instancePushId,
      zendesk_access_token: this.instance.token,
      ...overrides,
    });
  }

  /** Submits a page's form with its hidden fields plus `fields`; follows redirects as a browser does. */
  async submit(page: AdminPage, fields: Record<string, string> = {}): Promise<AdminPage> {
    if (!page.form) throw new Error(`no form on the page (${page.status}): ${page.html}`);
    return this.post(page.form.action, { ...page.form.fields, ...fields });
  }

  private async post(url: string, fields: Record<string, string>): Promise<AdminPage> {
    let res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 5; hops += 1) {
      at = new URL(res.headers.get('location') ?? '', at).toString();
      res = await fetch(at, { redirect: 'manual' });
    }
    const html = await res.text();
    return { status: res.status, url: at, html, form: readForm(html) };
  }
}

function decode(text: string): string {
  return text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decode(match[1]);
}

function readForm(html: string): AdminPage['form'] {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const action = attribute(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? '';
  const fields: Record<string, string> = {};
  const textInputs: string[] = [];
  const radios: Record<string, string[]> = {};
  for (const [tag] of (form[1] ?? '').matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (name === undefined) continue;
    const type = attribute(tag, 'type');
    const value = attribute(tag, 'value') ?? '';
    if (type === 'radio') {
      (radios[name] ??= []).push(value);
      if (/\schecked\b/.test(tag)) fields[name] = value;
    } else {
      if (type === 'text') textInputs.push(name);
      fields[name] = value;
    }
  }
  return { action, fields, textInputs, radios };
}

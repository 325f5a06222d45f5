import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FakeAccount } from './fake-account';
import { accountOf, sendError } from './http-helpers';
import { notFound, recordInvalid } from './zendesk-errors';

export interface FakeWebhook {
  /** Zendesk webhook ids are ULID-like strings (§4.6). */
  id: string;
  name: string;
  endpoint: string;
  signingSecret: string;
}

export interface FakeTrigger {
  id: number;
  title: string;
  conditions: { all: TriggerCondition[]; any: TriggerCondition[] };
  actions: Array<{ field: string; value: unknown }>;
}

type TriggerCondition = z.infer<typeof condition>;

/** One webhook call, as the endpoint answered it; `redeliver` posts it again with its invocation id. */
export interface WebhookDelivery {
  webhookId: string;
  invocationId: string;
  endpoint: string;
  body: string;
  status: number;
  answer: unknown;
}

const webhookCreate = z.object({
  webhook: z.object({
    name: z.string().min(1),
    endpoint: z.url(),
    http_method: z.literal('POST'),
    request_format: z.literal('json'),
    status: z.enum(['active', 'inactive']).default('active'),
    subscriptions: z.array(z.string()).default([]),
  }),
});
const condition = z.object({ field: z.string(), operator: z.string(), value: z.unknown() });
const triggerCreate = z.object({
  trigger: z.object({
    title: z.string().min(1),
    conditions: z.object({ all: z.array(condition).default([]), any: z.array(condition).default([]) }),
    actions: z.array(z.object({ field: z.string(), value: z.unknown() })).min(1),
  }),
});

/**
 * Webhooks and triggers (§4.6; trigger field names are [U] in the reference, modelled as the Triggers API
 * documents them): create a webhook, read it and its signing secret, create a trigger. Only the conditions
 * the fake can evaluate are accepted (status changed to a value), so a trigger it cannot run is a 422.
 */
export function webhookRouter(): express.Router {
  const router = express.Router();
  router.post('/webhooks', (req: Request, res: Response) => {
    const parsed = webhookCreate.safeParse(req.body);
    if (!parsed.success) return sendError(res, recordInvalid({ webhook: [{ error: 'InvalidValue', description: parsed.error.message }] }));
    const account = accountOf(req);
    const { name, endpoint } = parsed.data.webhook;
    const webhook: FakeWebhook = { id: `01${crypto.randomBytes(12).toString('hex').toUpperCase()}`, name, endpoint, signingSecret: crypto.randomBytes(32).toString('base64') };
    account.webhooks.set(webhook.id, webhook);
    res.status(201).json({ webhook: { id: webhook.id, name, endpoint, status: 'active', http_method: 'POST', request_format: 'json' } });
  });
  router.get('/webhooks/:id', (req: Request<{ id: string }>, res: Response) => {
    const webhook = accountOf(req).webhooks.get(req.params.id);
    if (!webhook) return sendError(res, notFound());
    res.status(200).json({ webhook: { id: webhook.id, name: webhook.name, endpoint: webhook.endpoint, status: 'active' } });
  });
  router.get('/webhooks/:id/signing_secret', (req: Request<{ id: string }>, res: Response) => {
    const webhook = accountOf(req).webhooks.get(req.params.id);
    if (!webhook) return sendError(res, notFound());
    res.status(200).json({ signing_secret: { algorithm: 'SHA256', secret: webhook.signingSecret } });
  });
  router.post('/triggers', (req: Request, res: Response) => {
    const parsed = triggerCreate.safeParse(req.body);
    if (!parsed.success) return sendError(res, recordInvalid({ trigger: [{ error: 'InvalidValue', description: parsed.error.message }] }));
    const account = accountOf(req);
    const input = parsed.data.trigger;
    const unsupported = [...input.conditions.all, ...input.conditions.any].find((c) => !(c.field === 'status' && c.operator === 'value'));
    if (unsupported) return sendError(res, recordInvalid({ conditions: [{ error: 'InvalidValue', description: `The fake evaluates status/value only, not ${unsupported.field}/${unsupported.operator}` }] }));
    const badAction = input.actions.find((a) => a.field === 'notification_webhook' && !webhookAction(account, a.value));
    if (badAction) return sendError(res, recordInvalid({ actions: [{ error: 'InvalidValue', description: 'notification_webhook takes [webhook id, JSON body] of an existing webhook' }] }));
    const trigger: FakeTrigger = { id: account.id(), ...input };
    account.triggers.push(trigger);
    res.status(201).json({ trigger: { id: trigger.id, title: trigger.title, active: true } });
  });
  return router;
}

function webhookAction(account: FakeAccount, value: unknown): { webhook: FakeWebhook; body: string } | undefined {
  const parsed = z.tuple([z.string(), z.string()]).safeParse(value);
  const webhook = parsed.success ? account.webhooks.get(parsed.data[0]) : undefined;
  return webhook && parsed.success ? { webhook, body: parsed.data[1] } : undefined;
}

/** A trigger's conditions on a status change: `all` must hold, and one of `any` when it has some. */
function fires(trigger: FakeTrigger, status: string): boolean {
  const holds = (c: TriggerCondition) => c.value === status;
  return trigger.conditions.all.every(holds) && (trigger.conditions.any.length === 0 || trigger.conditions.any.some(holds));
}

/** Signed as Zendesk signs (§4.6): base64 HMAC-SHA256 of timestamp + body; the timestamp ISO 8601 [U]. */
export async function postSignedWebhook(webhook: FakeWebhook, invocationId: string, body: string, at = new Date()): Promise<WebhookDelivery> {
  const timestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const signature = crypto.createHmac('sha256', webhook.signingSecret).update(timestamp + body).digest('base64');
  const res = await fetch(webhook.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-id': webhook.id,
      'x-zendesk-webhook-invocation-id': invocationId,
      'x-zendesk-webhook-signature': signature,
      'x-zendesk-webhook-signature-timestamp': timestamp,
    },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { webhookId: webhook.id, invocationId, endpoint: webhook.endpoint, body, status: res.status, answer };
}

/**
 * An agent sets a ticket's status: every trigger whose conditions hold runs its webhook actions, the body's
 * `{{ticket.id}}` filled in, one invocation each. Resolves once every call was answered.
 */
export async function changeTicketStatus(account: FakeAccount, ticketId: number, status: 'solved' | 'open' | 'pending'): Promise<WebhookDelivery[]> {
  const ticket = account.tickets.get(ticketId);
  if (!ticket) throw new Error(`No ticket ${ticketId} in ${account.subdomain}`);
  ticket.status = status;
  ticket.updated_at = account.timestamp();
  const calls = account.triggers.filter((t) => fires(t, status)).flatMap((t) => t.actions)
    .filter((a) => a.field === 'notification_webhook')
    .flatMap((a) => {
      const action = webhookAction(account, a.value);
      return action ? [action] : [];
    });
  return Promise.all(calls.map(({ webhook, body }) => postSignedWebhook(webhook, crypto.randomUUID(), body.replaceAll('{{ticket.id}}', String(ticketId)))));
}

import { z } from 'zod';
import { parseInstallation } from '../../../core/connectors/define-connector';
import { openInstallation } from '../../../core/connectors/open-installation';
import type { Installation } from '../../../core/connectors/contract';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { accountBaseUrl, type ZendeskClientConfig, type ZendeskResult } from '../client';
import { requestJson } from '../client/http';
import { hasRestToken, withRestToken } from '../rest-token';
import { zendeskApiBase, zendeskConfigSchema, zendeskCredentialsSchema, type ZendeskConfig, type ZendeskCredentials } from '../zendesk-settings';
import { TICKET_SOLVED_PATH } from './ticket-solved-route';

type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;

const schemas = { displayName: 'Zendesk', configSchema: zendeskConfigSchema, credentialsSchema: zendeskCredentialsSchema };

export interface ProvisionDeps {
  db: Db;
  secrets: SecretBox;
  /** Where Zendesk reaches us (PUBLIC_URL), no trailing slash. */
  publicUrl: string;
  /** The global OAuth client, to refresh the REST token. */
  oauth?: ZendeskClientConfig;
}

export type ProvisionResult =
  | { ok: true; created: boolean; webhookId: string; triggerId: string }
  | { ok: false; status: 404 | 409 | 502; code: string; message: string };

const webhookAnswer = z.object({ webhook: z.object({ id: z.string().min(1) }) });
const secretAnswer = z.object({ signing_secret: z.object({ secret: z.string().min(1) }) });
const triggerAnswer = z.object({ trigger: z.object({ id: z.union([z.string(), z.number()]).transform(String) }) });

/**
 * Makes Zendesk call Threadline when one of this installation's tickets is solved (reference §4.6): a webhook
 * to the installation's own URL, its signing secret (stored sealed in the credentials) and a trigger on
 * "status changed to solved" that notifies it with the ticket id. Run again, it keeps a webhook that still
 * exists at Zendesk and recreates one that an admin deleted there. The template itself is read from the
 * settings at each solve, so changing `csat` needs no new provisioning.
 */
export async function provisionCsat(deps: ProvisionDeps, workspaceId: string, installationId: string): Promise<ProvisionResult> {
  const opened = await openInstallation(deps, workspaceId, installationId);
  if (!opened.ok || opened.record.connector !== 'zendesk') {
    return { ok: false, status: 404, code: 'NOT_FOUND', message: `No active Zendesk installation ${installationId} in this workspace` };
  }
  const parsed = parseInstallation(schemas, opened.record);
  if (!parsed.ok) return { ok: false, status: 409, code: parsed.code, message: parsed.message };
  const { installation } = parsed;
  if (!installation.config.csat) {
    return { ok: false, status: 409, code: 'CSAT_NOT_SET', message: 'Set the installation\'s csat settings ({ template, language, parameters? }) first (PATCH /api/v1/installations/:id)' };
  }
  if (!hasRestToken(installation)) {
    return { ok: false, status: 409, code: 'NOT_AUTHORISED', message: 'This Zendesk account has no REST token: an admin must authorise Threadline in Zendesk first (the install flow)' };
  }
  const api = zendeskApi(deps, installation);
  const stored = installation.credentials.csatWebhook;
  if (stored) {
    const existing = await api('GET', `/webhooks/${encodeURIComponent(stored.webhookId)}`, webhookAnswer);
    if (existing.ok) return { ok: true, created: false, webhookId: stored.webhookId, triggerId: stored.triggerId };
    if (existing.error.code !== 'NOT_FOUND') return zendeskFailure(existing.error.message);
  }

  const webhook = await api('POST', '/webhooks', webhookAnswer, {
    webhook: {
      name: 'Threadline WhatsApp CSAT',
      status: 'active',
      endpoint: `${deps.publicUrl}${TICKET_SOLVED_PATH}/${installation.id}`,
      http_method: 'POST',
      request_format: 'json',
      subscriptions: ['conditional_ticket_events'],
    },
  });
  if (!webhook.ok) return zendeskFailure(webhook.error.message);
  const webhookId = webhook.value.webhook.id;
  const secret = await api('GET', `/webhooks/${encodeURIComponent(webhookId)}/signing_secret`, secretAnswer);
  if (!secret.ok) return zendeskFailure(secret.error.message);
  const trigger = await api('POST', '/triggers', triggerAnswer, {
    trigger: {
      title: 'Threadline: WhatsApp CSAT on solve',
      // [U] field names from the Triggers API reference as we read it: operator `value` is "changed to".
      conditions: { all: [{ field: 'status', operator: 'value', value: 'solved' }], any: [] },
      actions: [{ field: 'notification_webhook', value: [webhookId, JSON.stringify({ ticket_id: '{{ticket.id}}' })] }],
    },
  });
  if (!trigger.ok) return zendeskFailure(trigger.error.message);
  const triggerId = trigger.value.trigger.id;
  await installation.updateCredentials(async (current) => ({ ...current, csatWebhook: { webhookId, triggerId, signingSecret: secret.value.signing_secret.secret } }));
  return { ok: true, created: true, webhookId, triggerId };
}

/** One REST call with a fresh token, its answer checked by `schema`. */
function zendeskApi(deps: ProvisionDeps, installation: ZendeskInstallation) {
  const root = `${accountBaseUrl(zendeskApiBase(), installation.config.subdomain)}/api/v2`;
  return async <T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<ZendeskResult<T>> => {
    const answer = await withRestToken(installation, (token) => requestJson(`${root}${path}`, { method, token, body, timeoutMs: 10_000 }),
      deps.oauth === undefined ? {} : { oauth: deps.oauth });
    if (!answer.ok) return answer;
    const checked = schema.safeParse(answer.value.body);
    return checked.success ? { ok: true, value: checked.data } : { ok: false, error: { code: 'BAD_RESPONSE', message: `Unexpected answer from Zendesk to ${method} ${path}: ${checked.error.message}` } };
  };
}

function zendeskFailure(message: string): ProvisionResult {
  return { ok: false, status: 502, code: 'ZENDESK_REFUSED', message: `Zendesk did not complete the CSAT setup: ${message}` };
}

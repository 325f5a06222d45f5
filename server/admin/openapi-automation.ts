import { z } from 'zod';
import { RULE_KINDS, ruleKinds } from '../../core/automation/rule-kinds';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../core/automation/trigger-secret';
import { analyticsQueryFields } from '../../core/analytics/analytics-filter';
import { csatQuery } from '../routes/admin-analytics';
import { saveBody, scopeQuery } from '../routes/admin-automation';
import { secretBody } from '../routes/admin-bot';
import { handoffBody } from '../routes/bot-api';
import { errorResponse, idempotencyKeyHeader, jsonBody, objectOf, ok, pathParam, queryParameters, unauthorized, uuidParam } from './openapi-parts';

/** Each rule kind's definition, as `PUT /automation/rules/{kind}` validates it (defaults may be left out). */
export function ruleSchemas(): Record<string, object> {
  return Object.fromEntries(Object.entries(ruleKinds).map(([kind, schema]) => [ruleSchemaName(kind), z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })]));
}

const ruleSchemaName = (kind: string) => `Rule_${kind}`;

const ruleVersion = objectOf({
  kind: { type: 'string', enum: RULE_KINDS }, phone_number_id: { type: ['string', 'null'], description: 'null: the workspace default' },
  version: { type: 'integer' }, enabled: { type: 'boolean', description: 'false: this version switched the rule off' },
  definition: { description: 'The rule as saved (with defaults filled in), null when switched off' },
  created_by: { type: 'string' }, created_at: { type: 'string', format: 'date-time' },
});

/** saveBody as validated, its `definition` spelled out as the schema of one of the kinds. */
function saveRuleSchema(): object {
  const json = z.toJSONSchema(saveBody, { io: 'input' }) as { properties: Record<string, object> };
  const definition = { oneOf: RULE_KINDS.map((kind) => ({ $ref: `#/components/schemas/${ruleSchemaName(kind)}` })), description: 'The schema of the kind in the path' };
  return { ...json, properties: { ...json.properties, definition }, required: ['definition'] };
}

const kindParam = pathParam('kind', { type: 'string', enum: RULE_KINDS });
const scopeParameters = queryParameters(scopeQuery).map((p) => ({ ...p, description: 'The number whose own rule is meant; leave it out for the workspace default' }));
const kindOrNumberUnknown = errorResponse('UNKNOWN_RULE_KIND, or NUMBER_NOT_FOUND: phone_number_id is not in this workspace');
const botSigned = [{ botSecret: [] }];
const botUnauthorized = errorResponse("Missing or wrong bot secret (Authorization: Bearer <the bot's signing secret>)");
const notOnBotNumber = errorResponse('NOT_FOUND: no such conversation on a number this bot serves');

/** Security schemes of the routes that are not called with the admin token. */
export const automationSecuritySchemes = {
  botSecret: { type: 'http', scheme: 'bearer', description: 'The bot\'s signing secret (POST /automation/bot/secret)' },
  triggerSignature: {
    type: 'apiKey', in: 'header', name: SIGNATURE_HEADER,
    description: `\`sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">\` with the workspace's trigger secret (POST /automation/trigger-secret), the timestamp (Unix seconds, within 5 minutes) sent as ${TIMESTAMP_HEADER}`,
  },
};

/** Rules, triggers, bots and CSAT answers (issue 7): server/routes/admin-automation.ts, trigger-routes.ts, admin-bot.ts, bot-api.ts and admin-analytics.ts. */
export function automationPaths(): Record<string, object> {
  return {
    '/analytics/csat': {
      get: {
        summary: 'CSAT answers in a time range: a score 1–5 tapped or typed within 24 h of a CSAT send (the first answer per send counts)',
        parameters: queryParameters(csatQuery),
        responses: {
          200: ok('Answers counted, averaged and per score', objectOf({
            from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, responses: { type: 'integer' },
            average: { type: ['number', 'null'], description: 'Mean score to two decimals; null without answers' },
            distribution: objectOf(Object.fromEntries(['1', '2', '3', '4', '5'].map((score) => [score, { type: 'integer' }]))),
          })),
          400: errorResponse('INVALID_REQUEST: from or to is not an ISO date-time, or from is not before to'), 401: unauthorized,
        },
      },
    },
    '/analytics/report': {
      get: {
        summary: 'Every figure of the console\'s analytics page for a range of UTC days: messages, delivery, failures, response and resolution times, SLA breaches, FAQ deflections, CSAT and cost',
        parameters: queryParameters(analyticsQueryFields),
        responses: {
          200: ok('The figures (server/console/pages/analytics.ts shows the same)', objectOf({
            filter: objectOf({ from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time', description: 'Exclusive: the day after the last day' } }),
            daily: { type: 'array', description: 'Messages in and out per UTC day', items: objectOf({ day: { type: 'string', format: 'date' }, inbound: { type: 'integer' }, outbound: { type: 'integer' } }) },
            hourly: { type: 'array', description: 'Messages in and out per UTC hour of day, 0–23', items: objectOf({ hour: { type: 'integer' }, inbound: { type: 'integer' }, outbound: { type: 'integer' } }) },
            delivery: { type: 'object', description: 'sent, delivered, read, failed, deliveryRate (delivered / sent), readRate (read / delivered)' },
            failures: { type: 'array', description: 'Failed messages by error code: code, title, count', items: { type: 'object' } },
            firstResponse: { type: 'array', description: 'Median and p90 seconds overall, by team and by platform (by, key, conversations, measured, medianSeconds, p90Seconds)', items: { type: 'object' } },
            resolution: { type: 'array', description: 'As firstResponse, to the close, for conversations closed in the range', items: { type: 'object' } },
            sla: { type: 'object', description: 'total and byTeam breaches' },
            faq: { type: 'object', description: 'answers, escalated, deflected, rate' },
            csat: { type: 'object', description: 'As GET /analytics/csat, for the whole workspace' },
            cost: { type: 'object', description: 'total, byCategory, byNumber, byTeam: messages, billable, unpriced, cost (decimal string in the rate card currency)' },
            rateCard: { type: 'object', description: 'currency and the price rows by market' },
          })),
          400: errorResponse('INVALID_REQUEST: a day is not YYYY-MM-DD, from is after to, or the range spans over 366 days'), 401: unauthorized,
          404: errorResponse('NUMBER_NOT_FOUND: number is not in this workspace'),
        },
      },
    },
    '/automation/rules': {
      get: { summary: 'The version in force of each automation rule, workspace defaults and per-number overrides', responses: { 200: ok('Rules in force and the kinds there are', objectOf({ items: { type: 'array', items: ruleVersion }, kinds: { type: 'array', items: { type: 'string' } } })), 401: unauthorized } },
    },
    '/automation/rules/{kind}': {
      put: {
        summary: 'Save a new version of a rule (validated against its kind; audited)',
        parameters: [kindParam],
        requestBody: jsonBody(saveRuleSchema()),
        responses: {
          201: ok('The first version of this rule', ruleVersion), 200: ok('A new version', ruleVersion), 400: errorResponse('INVALID_RULE, with `issues` naming each field'), 401: unauthorized, 404: kindOrNumberUnknown,
        },
      },
      delete: {
        summary: 'Switch a rule off (a new version without a definition; the history stays)',
        parameters: [kindParam, ...scopeParameters],
        responses: { 200: ok('The switching-off version', ruleVersion), 400: errorResponse('Invalid phone_number_id'), 401: unauthorized, 404: kindOrNumberUnknown },
      },
    },
    '/automation/rules/{kind}/versions': {
      get: {
        summary: 'Every version of a rule, newest first',
        parameters: [kindParam, ...scopeParameters],
        responses: { 200: ok('`{ items }`', objectOf({ items: { type: 'array', items: ruleVersion } })), 400: errorResponse('Invalid phone_number_id'), 401: unauthorized, 404: kindOrNumberUnknown },
      },
    },
    '/automation/trigger-secret': {
      post: {
        summary: 'Make or replace the workspace\'s trigger secret; shown only in this answer (the old one stops working at once)',
        responses: { 201: ok('The secret', objectOf({ secret: { type: 'string' }, note: { type: 'string' } })), 401: unauthorized },
      },
    },
    '/triggers/{name}': {
      post: {
        summary: 'A business system\'s event (order shipped …): sends the trigger\'s template to the phone in the payload, honouring consent, caps and quiet hours',
        description: 'Signed with the trigger secret, not the admin token. A later failure is POSTed to the trigger\'s callback URL, signed the same way.',
        security: [{ triggerSignature: [] }],
        parameters: [
          pathParam('name', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
          { name: TIMESTAMP_HEADER, in: 'header', required: true, schema: { type: 'string', pattern: '^\\d{1,12}$' }, description: 'Signing time in Unix seconds' },
          { ...idempotencyKeyHeader(200), description: 'Unique per event; a repeat returns the first answer and sends nothing' },
        ],
        requestBody: jsonBody({ type: 'object', description: 'Any JSON object (64 KB at most); the trigger reads the phone and parameters from it by JSON pointer' }),
        responses: {
          202: ok('Sent (`status`: the message state) or deferred past quiet hours (`status: scheduled`, `scheduledFor`)', {
            type: 'object', required: ['messageId', 'status'],
            properties: { messageId: { type: ['string', 'null'] }, status: { type: 'string' }, scheduledFor: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
          }),
          400: errorResponse('IDEMPOTENCY_KEY_REQUIRED or INVALID_PAYLOAD'),
          401: errorResponse('UNAUTHENTICATED: no trigger secret yet, a stale timestamp or a wrong signature'),
          404: errorResponse('UNKNOWN_TRIGGER'),
          409: errorResponse('IDEMPOTENCY_KEY_REUSED, IN_PROGRESS, CONSENT_REVOKED, NO_OPT_IN, FREQUENCY_CAPPED or NUMBER_NEEDS_ATTENTION'),
          413: errorResponse('PAYLOAD_TOO_LARGE'),
          422: errorResponse('TRIGGER_MISCONFIGURED, PHONE_MISSING, PHONE_UNUSABLE, PARAMETER_MISSING, or a template refused by the send'),
        },
      },
    },
    '/automation/bot/secret': {
      post: {
        summary: 'Make the bot\'s signing secret (the workspace\'s bot, or one number\'s); shown once, the previous one stops working',
        requestBody: jsonBody(z.toJSONSchema(secretBody, { io: 'input' }), false),
        responses: {
          201: ok('The secret', objectOf({ phone_number_id: { type: ['string', 'null'] }, secret: { type: 'string' }, note: { type: 'string' } })),
          400: errorResponse('Invalid body'), 401: unauthorized, 404: errorResponse('NUMBER_NOT_FOUND'),
        },
      },
    },
    '/automation/bot/dead-letters': {
      get: {
        summary: 'Customer messages the bot never took after its last retry (newest 100)',
        responses: {
          200: ok('`{ items }`', objectOf({ items: { type: 'array', items: objectOf({
            id: { type: 'string', format: 'uuid' }, conversation_id: { type: 'string', format: 'uuid' }, message_id: { type: 'string', format: 'uuid' },
            attempts: { type: 'integer' }, error: { type: ['string', 'null'] }, failed_at: { type: 'string', format: 'date-time' },
          }) } })),
          401: unauthorized,
        },
      },
    },
    '/automation/bot/dead-letters/{id}/replay': {
      post: {
        summary: 'Forward a dead letter to the bot again, with fresh attempts',
        parameters: [uuidParam],
        responses: { 202: ok('Queued', objectOf({ id: { type: 'string', format: 'uuid' }, state: { const: 'pending' } })), 400: errorResponse('The id is not a uuid'), 401: unauthorized, 404: errorResponse('NOT_FOUND') },
      },
    },
    '/conversations/{id}/hand-to-bot': {
      post: {
        summary: 'Give the conversation (back) to its number\'s bot',
        parameters: [uuidParam],
        responses: {
          200: ok('Handed to the bot', objectOf({ conversation_id: { type: 'string', format: 'uuid' }, owner: { const: 'bot' } })),
          400: errorResponse('The id is not a uuid'), 401: unauthorized, 404: errorResponse('Not found in this workspace'), 409: errorResponse('NO_BOT: no bot rule is on for the number'),
        },
      },
    },
    '/bot/conversations/{id}/messages': {
      post: {
        summary: 'The bot answers the customer (same body as an admin send), while it owns the conversation',
        security: botSigned,
        parameters: [uuidParam, idempotencyKeyHeader(200)],
        requestBody: jsonBody({ $ref: '#/components/schemas/SendContent' }),
        responses: {
          202: ok('Queued; header Idempotent-Replayed on a repeat', objectOf({ message_id: { type: 'string', format: 'uuid' }, state: { type: 'string' }, status: { type: ['string', 'null'] } })),
          400: errorResponse('IDEMPOTENCY_KEY_REQUIRED or a malformed id'), 401: botUnauthorized, 404: notOnBotNumber,
          409: errorResponse('BOT_NOT_OWNER (a person holds it), or a send refusal: WINDOW_CLOSED, CONSENT_REVOKED …'),
          422: errorResponse('TEMPLATE_NOT_APPROVED, TEMPLATE_PARAMS_INVALID, MEDIA_UNSUPPORTED, INVALID_CONTENT …'),
        },
      },
    },
    '/bot/conversations/{id}/handoff': {
      post: {
        summary: 'The bot hands the conversation to a person, with a reason (and a team); the transcript goes to the platforms',
        security: botSigned,
        parameters: [uuidParam],
        requestBody: jsonBody(z.toJSONSchema(handoffBody, { io: 'input' })),
        responses: {
          200: ok('Handed off', objectOf({ conversation_id: { type: 'string', format: 'uuid' }, owner: { const: 'person' }, reason: { type: 'string' }, team: { type: ['string', 'null'] } })),
          400: errorResponse('Invalid body, or UNKNOWN_TEAM'), 401: botUnauthorized, 404: notOnBotNumber, 409: errorResponse('BOT_NOT_OWNER'),
        },
      },
    },
  };
}

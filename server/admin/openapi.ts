import { z } from 'zod';
import { listTemplatesQuery, syncTemplatesBody } from '../routes/admin-templates';
import { sendContent } from '../../core/send/send-content';
import { assignBody } from '../routes/admin-messages';
import { listConversationsQuery, listDeadLettersQuery, registerNumberBody } from './admin-schemas';
import { automationPaths, automationSecuritySchemes, ruleSchemas } from './openapi-automation';
import { errorResponse, errorSchema, idempotencyKeyHeader, ok, queryParameters, unauthorized, uuidParam } from './openapi-parts';
import { platformPaths } from './openapi-platforms';
import { privacyPaths } from './openapi-privacy';

/** The admin API as OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function adminOpenApi(publicUrl: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Threadline admin API', version: '1', description: 'Authenticate with `Authorization: Bearer <THREADLINE_ADMIN_TOKEN>`. Errors are `{ error: { code, message } }`.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    security: [{ adminToken: [] }],
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' }, ...automationSecuritySchemes },
      schemas: { Error: errorSchema, RegisterNumber: z.toJSONSchema(registerNumberBody), SyncTemplates: z.toJSONSchema(syncTemplatesBody),
        SendContent: z.toJSONSchema(sendContent, { io: 'input' }), Assign: z.toJSONSchema(assignBody), ...ruleSchemas() },
    },
    paths: {
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: ok('OpenAPI 3.1') } } },
      '/numbers': {
        get: { summary: 'List connected WhatsApp numbers', responses: { 200: ok('Numbers'), 401: unauthorized } },
        post: {
          summary: 'Connect a WhatsApp number (the token is checked against the Graph API, then stored encrypted)',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterNumber' } } } },
          responses: {
            201: ok('Registered'), 200: ok('Updated'), 400: errorResponse('Invalid body'), 401: unauthorized,
            409: errorResponse('NUMBER_IN_OTHER_WORKSPACE'), 422: errorResponse('TOKEN_INVALID or PHONE_NUMBER_NOT_FOUND'), 502: errorResponse('GRAPH_UNAVAILABLE'),
          },
        },
      },
      '/conversations': {
        get: { summary: 'List conversations, most recent first', parameters: queryParameters(listConversationsQuery), responses: { 200: ok('`{ items, next_cursor }`'), 400: errorResponse('Invalid filter'), 401: unauthorized } },
      },
      '/conversations/{id}': {
        get: {
          summary: 'A conversation with its messages, media and status history',
          parameters: [uuidParam],
          responses: { 200: ok('Conversation'), 400: errorResponse('The id is not a uuid'), 401: unauthorized, 404: errorResponse('Not found in this workspace') },
        },
      },
      '/conversations/{id}/messages': {
        post: {
          summary: 'Send a WhatsApp message in the conversation (checked against the 24-hour window, consent and templates first)',
          parameters: [
            uuidParam,
            idempotencyKeyHeader(255),
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SendContent' } } } },
          responses: {
            202: ok('`{ message_id, request_id, state, status, wamid, error }`; header Idempotent-Replayed on a repeat'),
            400: errorResponse('IDEMPOTENCY_KEY_REQUIRED or a malformed id'),
            401: unauthorized,
            404: errorResponse('Not found in this workspace'),
            409: errorResponse('WINDOW_CLOSED (with `templates` that fit), CONSENT_REVOKED, NO_OPT_IN, NUMBER_NEEDS_ATTENTION; `hint` says what to do instead'),
            422: errorResponse('TEMPLATE_NOT_APPROVED, TEMPLATE_PARAMS_INVALID, MEDIA_UNSUPPORTED, MEDIA_TOO_LARGE, INVALID_CONTENT, IDEMPOTENCY_KEY_REUSED'),
          },
        },
      },
      '/conversations/{id}/assign': {
        post: {
          summary: 'Assign the conversation to someone on a platform, or unassign it with `{ "assignee": null }`',
          parameters: [uuidParam],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Assign' } } } },
          responses: { 200: ok('Conversation'), 400: errorResponse('Invalid body'), 401: unauthorized, 404: errorResponse('Not found in this workspace') },
        },
      },
      '/conversations/{id}/close': {
        post: { summary: 'Close the conversation (closing a closed one changes nothing)', parameters: [uuidParam], responses: { 200: ok('Conversation'), 401: unauthorized, 404: errorResponse('Not found in this workspace') } },
      },
      '/conversations/{id}/reopen': {
        post: {
          summary: 'Reopen a closed conversation',
          parameters: [uuidParam],
          responses: { 200: ok('Conversation'), 401: unauthorized, 404: errorResponse('Not found in this workspace'), 409: errorResponse('CONVERSATION_ALREADY_LIVE, with live_conversation_id') },
        },
      },
      '/contacts/{contactId}/consent': {
        put: {
          summary: "Record a contact's consent on one number: the WhatsApp opt-in, or (channel sms) the explicit SMS consent the SMS fallback needs; audited and synced",
          parameters: [{ name: 'contactId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { required: true, content: { 'application/json': { schema: {
            type: 'object', additionalProperties: false, required: ['phone_number_id', 'status'],
            properties: { phone_number_id: { type: 'string' }, channel: { type: 'string', enum: ['whatsapp', 'sms'], default: 'whatsapp' }, status: { type: 'string', enum: ['opted_in', 'opted_out'] }, note: { type: 'string', maxLength: 500 } },
          } } } },
          responses: { 200: ok('`{ contact_id, phone_number_id, status, marketing, sms, source, changed_at }`'), 400: errorResponse('Invalid body'), 401: unauthorized, 404: errorResponse('No such contact or number in this workspace') },
        },
      },
      '/dead-letters': {
        get: { summary: 'Events that failed their last attempt', parameters: queryParameters(listDeadLettersQuery), responses: { 200: ok('`{ items }`'), 400: errorResponse('Invalid paging'), 401: unauthorized } },
      },
      '/dead-letters/{id}/replay': {
        post: {
          summary: 'Queue a dead letter again with fresh attempts',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 202: ok('Queued'), 400: errorResponse('The id is not a positive integer'), 401: unauthorized, 404: errorResponse('Not found'), 409: errorResponse('NOT_REPLAYABLE') },
        },
      },
      '/installations': {
        get: { summary: 'Connected platform installations of this workspace (credentials never returned)', responses: { 200: ok('`{ items, connectors }`: installations and the connectors this server ships'), 401: unauthorized } },
        post: {
          summary: 'Install a connector for this workspace; its credentials are checked against the connector\'s schema and stored encrypted',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['connector', 'account_id', 'credentials'], properties: { connector: { type: 'string' }, account_id: { type: 'string' }, config: { type: 'object' }, credentials: { type: 'object' } } } } } },
          responses: { 201: ok('Installed'), 200: ok('Updated (same connector and account)'), 400: errorResponse('Invalid body'), 401: unauthorized, 404: errorResponse('UNKNOWN_CONNECTOR'), 422: errorResponse('Invalid config or credentials for that connector, or NUMBER_NOT_FOUND: the WhatsApp number its settings name is not in this workspace') },
        },
      },
      '/installations/{id}': {
        patch: {
          summary: 'Change settings (e.g. the WhatsApp number it serves), credentials kept: merged over the stored settings, checked by the connector',
          parameters: [uuidParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['settings'], properties: { settings: { type: 'object' } } } } } },
          responses: {
            200: ok('Updated'), 400: errorResponse('Invalid body'), 401: unauthorized, 404: errorResponse('Not found in this workspace'),
            422: errorResponse('CONFIG_INVALID, or NUMBER_NOT_FOUND: the number is not in this workspace'),
          },
        },
        delete: {
          summary: 'Uninstall: credentials dropped, pending sync events cancelled',
          parameters: [uuidParam],
          responses: { 200: ok('Uninstalled'), 400: errorResponse('Malformed id'), 401: unauthorized, 404: errorResponse('Not found in this workspace') },
        },
      },
      '/sync/dead-letters': {
        get: {
          summary: 'Conversation events a platform did not accept after the last retry',
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
            { name: 'before_id', in: 'query', required: false, schema: { type: 'integer' } },
            { name: 'installation_id', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: { 200: ok('`{ items }`'), 400: errorResponse('Invalid filter'), 401: unauthorized },
        },
      },
      '/sync/dead-letters/{id}/replay': {
        post: {
          summary: 'Deliver a sync dead letter again (same external id: the platform never gets a duplicate)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 202: ok('Queued'), 400: errorResponse('The id is not a positive integer'), 401: unauthorized, 404: errorResponse('Not found'), 409: errorResponse('Not replayable') },
        },
      },
      '/templates': {
        get: {
          summary: 'Synced message templates with the parameters a send must fill (DELETED ones only when asked for by status)',
          parameters: queryParameters(listTemplatesQuery),
          responses: { 200: ok('`{ items }`'), 400: errorResponse('Invalid filter'), 401: unauthorized, 404: errorResponse('NUMBER_NOT_FOUND: phone_number_id is not in this workspace') },
        },
      },
      '/templates/sync': {
        post: {
          summary: "Fetch the templates of one number's WABA (or of every WABA) from Meta; templates no longer listed become DELETED",
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/SyncTemplates' } } } },
          responses: {
            200: ok('`{ results: [{ waba_id, ok, counts: { listed, created, updated, unchanged, deleted } }] }`'), 400: errorResponse('Invalid body'), 401: unauthorized,
            404: errorResponse('NUMBER_NOT_FOUND'), 422: errorResponse('TOKEN_INVALID (the number now needs attention) or GRAPH_REJECTED'),
            429: errorResponse("RATE_LIMITED: the WABA's hourly management quota is used up"), 502: errorResponse('GRAPH_UNAVAILABLE'),
          },
        },
      },
      ...automationPaths(),
      ...platformPaths(),
      ...privacyPaths(),
    },
  };
}

import { z } from 'zod';
import { listConversationsQuery, listDeadLettersQuery, registerNumberBody } from './admin-schemas';

const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
};
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, object> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

/** The admin API as OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function adminOpenApi(publicUrl: string): object {
  const unauthorized = errorResponse('Missing or invalid admin token');
  return {
    openapi: '3.1.0',
    info: { title: 'Threadline admin API', version: '1', description: 'Authenticate with `Authorization: Bearer <THREADLINE_ADMIN_TOKEN>`. Errors are `{ error: { code, message } }`.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    security: [{ adminToken: [] }],
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorBody, RegisterNumber: z.toJSONSchema(registerNumberBody) },
    },
    paths: {
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
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 200: ok('Conversation'), 400: errorResponse('The id is not a uuid'), 401: unauthorized, 404: errorResponse('Not found in this workspace') },
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
    },
  };
}

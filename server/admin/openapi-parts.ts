import { z } from 'zod';

/** Building blocks of the OpenAPI document (openapi.ts and the modules it joins). */

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
};

export const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** A 2xx answer: `schema` when the document spells its fields out, else any object. */
export const ok = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });

export const jsonBody = (schema: object, required = true) => ({ required, content: { 'application/json': { schema } } });

export const pathParam = (name: string, schema: object) => ({ name, in: 'path', required: true, schema });

export const uuidParam = pathParam('id', { type: 'string', format: 'uuid' });

/** An object schema whose every listed property is present in the answer. */
export const objectOf = (properties: Record<string, object>) => ({ type: 'object', properties, required: Object.keys(properties) });

export const unauthorized = errorResponse('Missing or invalid admin token');

export const idempotencyKeyHeader = (maxLength: number) => ({
  name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength },
  description: 'Unique per message; a repeat returns the first result and sends nothing',
});

/** Each field of a zod query schema as an optional query parameter. */
export function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, object> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

import type { Response } from 'express';
import type { z } from 'zod';
import { sendError } from '../http-errors';

/** Parses part of a request or answers 400 with every problem named. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  sendError(res, 400, 'INVALID_REQUEST', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return undefined;
}

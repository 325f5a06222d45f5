import crypto from 'node:crypto';
import { z } from 'zod';
import type { PlatformResponse } from '../../../core/connectors/contract';
import { defineConnector } from '../../../core/connectors/define-connector';
import { TestPlatformClient } from './test-platform-client';

const replyBody = z.object({
  reply_id: z.string().min(1),
  conversation_id: z.string().uuid(),
  text: z.string().min(1),
  agent: z.object({ id: z.string(), name: z.string() }),
});

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given ?? '').digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * A connector for the fake platform in ../fake-platform: a timeline target (batches to POST
 * /batch) and a reply source (the platform POSTs an agent's reply, which goes to `send`). It
 * exercises the whole contract, so core is tested without any real platform.
 */
export const testConnector = defineConnector({
  id: 'test-platform',
  displayName: 'Test platform',
  configSchema: z.object({
    baseUrl: z.string().url(),
    batchSize: z.number().int().min(1).max(100).default(100),
    requestsPerWindow: z.number().int().min(1).default(100),
    windowMs: z.number().int().min(1).default(10_000),
    /** Serve one WhatsApp number only (as a Zendesk account does). */
    phoneNumberId: z.string().min(1).optional(),
  }),
  credentialsSchema: z.object({ apiKey: z.string().min(8), replySecret: z.string().min(8) }),
  numberOf: (config) => config.phoneNumberId,
  capabilities: {
    timeline: {
      limits: (config) => ({ batchSize: config.batchSize, requests: config.requestsPerWindow, windowMs: config.windowMs }),
      deliver: (installation, events, ctx) => new TestPlatformClient(installation.config.baseUrl, installation.credentials.apiKey).postBatch(events, ctx.signal),
    },
    replySource: {
      receive: async (installation, request, ctx): Promise<PlatformResponse> => {
        if (!sameSecret(request.headers['x-test-platform-secret'], installation.credentials.replySecret)) {
          return { status: 401, body: { error: 'bad secret' } };
        }
        const reply = replyBody.safeParse(request.body);
        if (!reply.success) return { status: 400, body: { error: reply.error.message } };
        const outcome = await ctx.send({
          to: { conversationId: reply.data.conversation_id },
          idempotencyKey: `test-platform:${installation.id}:${reply.data.reply_id}`,
          author: { platform: 'test-platform', id: reply.data.agent.id, name: reply.data.agent.name },
          message: { type: 'text', text: reply.data.text },
        });
        // Like a real platform shows an agent: what went wrong and what to do instead (the templates that fit).
        if (!outcome.ok) return { status: 422, body: { error: outcome.code, message: outcome.message, ...(outcome.details ? { details: outcome.details } : {}) } };
        return { status: 201, body: { message_id: outcome.messageId } };
      },
    },
  },
});

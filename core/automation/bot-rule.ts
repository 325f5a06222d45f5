import { z } from 'zod';

/** Plain http only to a bot on this machine, and never in production: the bot gets customers' messages. */
function isAllowedBotUrl(value: string): boolean {
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' && process.env.NODE_ENV !== 'production';
}

/**
 * An external bot (issue 7 item 4): the endpoint every customer message of a conversation it owns is POSTed to,
 * signed with the bot's secret (rotated and shown once by `POST /api/v1/automation/bot/secret`).
 */
export const botRule = z.object({
  url: z.url({ error: 'must be an absolute URL' }).max(2048)
    .refine(isAllowedBotUrl, 'must be an https URL (http only to 127.0.0.1, and not in production)'),
  /** How long the bot may take to accept a message before the attempt counts as failed (and is retried). */
  timeoutMs: z.number().int().min(500).max(30_000).default(10_000),
  /** The bot takes every new conversation nobody holds; false: only conversations handed to it by an admin. */
  ownsNewConversations: z.boolean().default(true),
  /** The sender name its answers carry on the platforms. */
  name: z.string().trim().min(1).max(60).default('Bot'),
});

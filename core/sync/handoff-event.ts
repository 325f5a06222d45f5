import { z } from 'zod';
import type { SyncEvent } from '../connectors/contract';

/**
 * `conversation.handoff` as the connectors read it (core/automation/bot-ownership.ts emits it): a bot handing the
 * conversation to a person carries its reason and the conversation's latest messages; `to: 'bot'` is an admin
 * handing it back.
 */
const transcriptLine = z.object({ from: z.string(), text: z.string(), sent_at: z.string() });
const handoffData = z.discriminatedUnion('to', [
  z.object({ to: z.literal('person'), reason: z.string().min(1), team: z.string().nullable().default(null), transcript: z.array(transcriptLine).default([]) }),
  z.object({ to: z.literal('bot') }),
]);
export type Handoff = z.infer<typeof handoffData>;
export type HandoffToPerson = Extract<Handoff, { to: 'person' }>;

export function handoffOf(event: SyncEvent): Handoff | undefined {
  const parsed = handoffData.safeParse(event.data);
  return parsed.success ? parsed.data : undefined;
}

/** The handoff as plain text, one line per message (`14:02 customer: …`), for a note a person reads on the platform. */
export function handoffText(handoff: HandoffToPerson): string {
  const lines = handoff.transcript.map((m) => `${m.sent_at.slice(11, 16)} ${m.from}: ${m.text}`);
  return [`Bot handed over: ${handoff.reason}`, ...(handoff.team === null ? [] : [`Team: ${handoff.team}`]), ...(lines.length > 0 ? ['', 'Transcript (UTC):', ...lines] : [])].join('\n');
}

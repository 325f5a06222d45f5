import { z } from 'zod';

const tapped = z.object({
  interactive: z.union([
    z.object({ type: z.literal('button_reply'), button_reply: z.object({ id: z.string() }) }),
    z.object({ type: z.literal('list_reply'), list_reply: z.object({ id: z.string() }) }),
  ]),
});

/** The id of the button or list row the customer tapped, if the message is such an answer. */
export function choiceIdOf(body: unknown): string | undefined {
  const parsed = tapped.safeParse(body);
  if (!parsed.success) return undefined;
  const { interactive } = parsed.data;
  return interactive.type === 'button_reply' ? interactive.button_reply.id : interactive.list_reply.id;
}

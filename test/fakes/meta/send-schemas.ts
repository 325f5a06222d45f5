import { z } from 'zod';

/*
 * What POST /{phone-number-id}/messages accepts, with the limits of reference §4.2–4.3.
 * Objects stay loose where Meta documents no rejection of extra keys; limits Meta documents are enforced.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

function mediaObject(kind: 'image' | 'video' | 'audio' | 'document' | 'sticker') {
  return z
    .looseObject({
      id: z.string().min(1).optional(),
      link: httpUrl.optional(),
      caption: z.string().max(1024).optional(),
      filename: z.string().min(1).max(240).optional(),
    })
    .superRefine((m, ctx) => {
      if ((m.id === undefined) === (m.link === undefined)) ctx.addIssue({ code: 'custom', message: `${kind} needs exactly one of id or link` });
      if ((kind === 'audio' || kind === 'sticker') && m.caption !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['caption'], message: `caption is not supported for ${kind}` });
      }
    });
}

const textObject = z.looseObject({
  body: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters long'),
  preview_url: z.boolean().optional(),
});

const footer = z.object({ text: z.string().min(1).max(60, 'must be at most 60 characters long') });

const interactiveHeader = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(60, 'must be at most 60 characters long') }),
  z.object({ type: z.literal('image'), image: mediaObject('image') }),
  z.object({ type: z.literal('video'), video: mediaObject('video') }),
  z.object({ type: z.literal('document'), document: mediaObject('document') }),
]);

const replyButtons = z
  .looseObject({
    type: z.literal('button'),
    header: interactiveHeader.optional(),
    body: z.object({ text: z.string().min(1).max(1024, 'must be at most 1024 characters long') }),
    footer: footer.optional(),
    action: z.object({
      buttons: z
        .array(
          z.object({
            type: z.literal('reply'),
            reply: z.object({
              id: z.string().min(1).max(256, 'must be at most 256 characters long'),
              title: z.string().min(1).max(20, 'must be at most 20 characters long'),
            }),
          }),
        )
        .min(1, 'must have at least 1 button')
        .max(3, 'must have at most 3 buttons'),
    }),
  })
  .superRefine((m, ctx) => {
    if (hasDuplicates(m.action.buttons.map((b) => b.reply.title))) {
      ctx.addIssue({ code: 'custom', path: ['action', 'buttons'], message: 'button titles must be unique' });
    }
    if (hasDuplicates(m.action.buttons.map((b) => b.reply.id))) {
      ctx.addIssue({ code: 'custom', path: ['action', 'buttons'], message: 'button ids must be unique' });
    }
  });

const listMessage = z
  .looseObject({
    type: z.literal('list'),
    header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60, 'must be at most 60 characters long') }).optional(),
    body: z.object({ text: z.string().min(1).max(4096, 'must be at most 4096 characters long') }),
    footer: footer.optional(),
    action: z.object({
      button: z.string().min(1).max(20, 'must be at most 20 characters long'),
      sections: z
        .array(
          z.object({
            title: z.string().min(1).max(24, 'must be at most 24 characters long').optional(),
            rows: z
              .array(
                z.object({
                  id: z.string().min(1).max(200, 'must be at most 200 characters long'),
                  title: z.string().min(1).max(24, 'must be at most 24 characters long'),
                  description: z.string().max(72, 'must be at most 72 characters long').optional(),
                }),
              )
              .min(1, 'must have at least 1 row'),
          }),
        )
        .min(1, 'must have at least 1 section')
        .max(10, 'must have at most 10 sections'),
    }),
  })
  .superRefine((m, ctx) => {
    const rows = m.action.sections.flatMap((s) => s.rows);
    if (rows.length > 10) ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: `must have at most 10 rows in total, got ${rows.length}` });
    if (hasDuplicates(rows.map((r) => r.id))) ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: 'row ids must be unique' });
    if (m.action.sections.length > 1 && m.action.sections.some((s) => s.title === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: 'each section needs a title when there is more than one' });
    }
  });

// Interactive kinds Threadline does not send yet: accepted as long as the type is one Meta knows.
const otherInteractive = z.looseObject({
  type: z.enum(['cta_url', 'flow', 'product', 'product_list', 'catalog_message', 'location_request_message', 'address_message', 'call_permission_request']),
});

const interactiveObject = z.discriminatedUnion('type', [replyButtons, listMessage, otherInteractive]);

const templateParameter = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string().min(1), parameter_name: z.string().min(1).optional() }),
  z.looseObject({
    type: z.literal('currency'),
    currency: z.object({ fallback_value: z.string().min(1), code: z.string().length(3), amount_1000: z.number().int() }),
    parameter_name: z.string().min(1).optional(),
  }),
  z.looseObject({ type: z.literal('date_time'), date_time: z.object({ fallback_value: z.string().min(1) }), parameter_name: z.string().min(1).optional() }),
  z.looseObject({ type: z.literal('image'), image: mediaObject('image') }),
  z.looseObject({ type: z.literal('video'), video: mediaObject('video') }),
  z.looseObject({ type: z.literal('document'), document: mediaObject('document') }),
  z.looseObject({ type: z.literal('payload'), payload: z.string().min(1) }),
  z.looseObject({ type: z.literal('location'), location: z.object({ latitude: z.number(), longitude: z.number() }) }),
  z.looseObject({ type: z.enum(['coupon_code', 'action', 'limited_time_offer', 'tap_target_configuration', 'product', 'order_status']) }),
]);

const templateComponent = z.discriminatedUnion('type', [
  z.looseObject({ type: z.enum(['header', 'body']), parameters: z.array(templateParameter) }),
  z.looseObject({
    type: z.literal('button'),
    sub_type: z.string().min(1),
    // A string in Meta's syntax, a number in some of its examples (§4.3).
    index: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]),
    parameters: z.array(templateParameter).optional(),
  }),
  z.looseObject({ type: z.enum(['carousel', 'limited_time_offer']) }),
]);

const templateObject = z.looseObject({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be lowercase letters, digits and underscores'),
  language: z.looseObject({ code: z.string().min(2), policy: z.literal('deterministic').optional() }),
  components: z.array(templateComponent).optional(),
});

const envelope = {
  messaging_product: z.literal('whatsapp', 'must be "whatsapp"'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: z.string().min(1, 'must not be empty'),
  context: z.object({ message_id: z.string().min(1) }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
};

export const sendMessageSchema = z
  .discriminatedUnion('type', [
    z.looseObject({ ...envelope, type: z.literal('text'), text: textObject }),
    z.looseObject({ ...envelope, type: z.literal('image'), image: mediaObject('image') }),
    z.looseObject({ ...envelope, type: z.literal('video'), video: mediaObject('video') }),
    z.looseObject({ ...envelope, type: z.literal('audio'), audio: mediaObject('audio') }),
    z.looseObject({ ...envelope, type: z.literal('document'), document: mediaObject('document') }),
    z.looseObject({ ...envelope, type: z.literal('sticker'), sticker: mediaObject('sticker') }),
    z.looseObject({ ...envelope, type: z.literal('reaction'), reaction: z.object({ message_id: z.string().min(1), emoji: z.string() }) }),
    z.looseObject({ ...envelope, type: z.literal('interactive'), interactive: interactiveObject }),
    z.looseObject({ ...envelope, type: z.literal('template'), template: templateObject }),
    z.looseObject({
      ...envelope,
      type: z.literal('location'),
      location: z.looseObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
    }),
    z.looseObject({
      ...envelope,
      type: z.literal('contacts'),
      contacts: z.array(z.looseObject({ name: z.looseObject({ formatted_name: z.string().min(1) }) })).min(1),
    }),
  ])
  .superRefine((m, ctx) => {
    if (m.type === 'reaction' && m.context !== undefined) ctx.addIssue({ code: 'custom', path: ['context'], message: 'is not supported for reactions' });
  });
export type SendMessageRequest = z.infer<typeof sendMessageSchema>;

export const markAsReadSchema = z.looseObject({
  messaging_product: z.literal('whatsapp', 'must be "whatsapp"'),
  status: z.literal('read', 'must be "read"'),
  message_id: z.string().min(1),
  typing_indicator: z.object({ type: z.literal('text') }).optional(),
});
export type MarkAsReadRequest = z.infer<typeof markAsReadSchema>;

export type MessagesRequest =
  | { kind: 'read'; request: MarkAsReadRequest }
  | { kind: 'send'; request: SendMessageRequest }
  | { kind: 'invalid'; details: string };

/** Mark-as-read bodies carry `status`; sends without `type` are text, as on Meta. */
export function parseMessagesRequest(body: unknown): MessagesRequest {
  if (!isRecord(body)) return { kind: 'invalid', details: 'Request body must be a JSON object' };
  if ('status' in body) {
    const read = markAsReadSchema.safeParse(body);
    return read.success ? { kind: 'read', request: read.data } : { kind: 'invalid', details: describeIssues(read.error) };
  }
  const send = sendMessageSchema.safeParse('type' in body ? body : { ...body, type: 'text' });
  return send.success ? { kind: 'send', request: send.data } : { kind: 'invalid', details: describeIssues(send.error) };
}

/** Issues as Meta phrases parameter paths: `Param interactive['action']['buttons'] must have at most 3 buttons`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const [head, ...rest] = issue.path.map(String);
      if (head === undefined) return issue.message;
      const param = head + rest.map((p) => `['${p}']`).join('');
      if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `The parameter ${param} is required.`;
      return `Param ${param}: ${issue.message}`;
    })
    .join('; ');
}

function hasDuplicates(values: string[]): boolean {
  return new Set(values).size !== values.length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

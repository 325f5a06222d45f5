import { z } from 'zod';

/**
 * What a caller can send, validated at the edge with the limits of reference §4.2–4.3, so a
 * request Meta would refuse is refused here, before anything is stored or sent.
 * Field names follow Meta's where the shape is Meta's (interactive, template parameters).
 */

const wamid = z.string().min(1).max(512);

/** Every content kind may quote an earlier message (context), except reactions (§4.2). */
const common = {
  /** wamid of the message this one answers: WhatsApp shows it quoted. */
  replyTo: wamid.optional(),
  /** Mark the customer's latest message read and show the typing indicator before sending. */
  markRead: z.boolean().optional(),
};

export const textContent = z.object({
  type: z.literal('text'),
  body: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters (WhatsApp limit)'),
  /** Link preview of the first http(s) URL in the body. */
  preview_url: z.boolean().optional(),
  ...common,
}).strict();

export const mediaKinds = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaKind = (typeof mediaKinds)[number];

export const mediaContent = z.object({
  type: z.literal('media'),
  kind: z.enum(mediaKinds),
  /** Where the platform serves the file; it is downloaded, checked and uploaded to Meta. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Instead of `url`: a file a connector staged (ReplyContext.stageAttachment), by its reference. */
  staged: z.string().regex(/^[0-9a-f]{64}$/, 'must be the reference of a staged file').optional(),
  /** The type the platform declares; checked against what the download returns. */
  mime_type: z.string().min(3),
  /** Bytes, when the platform knows it: lets an oversized file be refused before downloading. */
  size: z.number().int().nonnegative().optional(),
  filename: z.string().min(1).max(240).optional(),
  caption: z.string().max(1024, 'must be at most 1024 characters (WhatsApp limit)').optional(),
  ...common,
}).strict().superRefine((m, ctx) => {
  if ((m.url === undefined) === (m.staged === undefined)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of url and staged' });
  if ((m.kind === 'audio' || m.kind === 'sticker') && m.caption !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['caption'], message: `WhatsApp shows no caption on ${m.kind}: send the text as its own message` });
  }
  if (m.kind !== 'document' && m.filename !== undefined) ctx.addIssue({ code: 'custom', path: ['filename'], message: 'only documents carry a filename' });
});

const mediaRef = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z.object({ link: z.url({ protocol: /^https?$/ }) }).strict(),
]);

/** A template parameter in Meta's shape; named templates add `parameter_name` (§4.3). */
const textParameter = z.object({ type: z.literal('text'), text: z.string().min(1), parameter_name: z.string().min(1).optional() }).strict();
const currencyParameter = z.object({
  type: z.literal('currency'),
  currency: z.object({ fallback_value: z.string().min(1), code: z.string().length(3), amount_1000: z.number().int() }).strict(),
  parameter_name: z.string().min(1).optional(),
}).strict();
const dateTimeParameter = z.object({
  type: z.literal('date_time'),
  date_time: z.object({ fallback_value: z.string().min(1) }).strict(),
  parameter_name: z.string().min(1).optional(),
}).strict();

export const bodyParameter = z.discriminatedUnion('type', [textParameter, currencyParameter, dateTimeParameter]);
export type BodyParameter = z.infer<typeof bodyParameter>;

export const headerParameter = z.discriminatedUnion('type', [
  textParameter,
  z.object({ type: z.literal('image'), image: mediaRef }).strict(),
  z.object({ type: z.literal('video'), video: mediaRef }).strict(),
  z.object({ type: z.literal('document'), document: mediaRef }).strict(),
]);
export type HeaderParameter = z.infer<typeof headerParameter>;

/** One entry per button that takes a value: a quick reply's payload or a URL button's suffix. */
export const buttonParameter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('quick_reply'), index: z.number().int().min(0).max(9), payload: z.string().min(1) }).strict(),
  z.object({ type: z.literal('url'), index: z.number().int().min(0).max(9), text: z.string().min(1) }).strict(),
]);
export type ButtonParameter = z.infer<typeof buttonParameter>;

export const templateContent = z.object({
  type: z.literal('template'),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be a template name: lowercase letters, digits and underscores'),
  /** e.g. en_US, as the template was approved. */
  language: z.string().min(2).max(15),
  header: z.array(headerParameter).max(1, 'a header takes at most one parameter').optional(),
  body: z.array(bodyParameter).optional(),
  buttons: z.array(buttonParameter).optional(),
  ...common,
}).strict();

const interactiveHeader = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).strict(),
  z.object({ type: z.literal('image'), image: mediaRef }).strict(),
  z.object({ type: z.literal('video'), video: mediaRef }).strict(),
  z.object({ type: z.literal('document'), document: mediaRef }).strict(),
]);
const footer = z.object({ text: z.string().min(1).max(60, 'must be at most 60 characters') }).strict();

const buttonsInteractive = z.object({
  type: z.literal('button'),
  header: interactiveHeader.optional(),
  body: z.object({ text: z.string().min(1).max(1024, 'must be at most 1024 characters') }).strict(),
  footer: footer.optional(),
  action: z.object({
    buttons: z.array(z.object({
      type: z.literal('reply'),
      reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20, 'must be at most 20 characters') }).strict(),
    }).strict()).min(1).max(3, 'WhatsApp allows at most 3 reply buttons: use a list for more choices'),
  }).strict(),
}).strict().superRefine((m, ctx) => {
  const titles = m.action.buttons.map((b) => b.reply.title);
  const ids = m.action.buttons.map((b) => b.reply.id);
  if (new Set(titles).size !== titles.length) ctx.addIssue({ code: 'custom', path: ['action', 'buttons'], message: 'button titles must be unique' });
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['action', 'buttons'], message: 'button ids must be unique' });
});

const listInteractive = z.object({
  type: z.literal('list'),
  header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).strict().optional(),
  body: z.object({ text: z.string().min(1).max(4096) }).strict(),
  footer: footer.optional(),
  action: z.object({
    button: z.string().min(1).max(20, 'must be at most 20 characters'),
    sections: z.array(z.object({
      title: z.string().min(1).max(24).optional(),
      rows: z.array(z.object({
        id: z.string().min(1).max(200),
        title: z.string().min(1).max(24, 'must be at most 24 characters'),
        description: z.string().max(72, 'must be at most 72 characters').optional(),
      }).strict()).min(1),
    }).strict()).min(1).max(10),
  }).strict(),
}).strict().superRefine((m, ctx) => {
  const rows = m.action.sections.flatMap((s) => s.rows);
  if (rows.length > 10) ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: `WhatsApp allows at most 10 rows in all sections, got ${rows.length}` });
  if (new Set(rows.map((r) => r.id)).size !== rows.length) ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: 'row ids must be unique' });
  if (m.action.sections.length > 1 && m.action.sections.some((s) => s.title === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['action', 'sections'], message: 'each section needs a title when there is more than one' });
  }
});

export const interactiveContent = z.object({
  type: z.literal('interactive'),
  interactive: z.discriminatedUnion('type', [buttonsInteractive, listInteractive]),
  ...common,
}).strict();

export const reactionContent = z.object({
  type: z.literal('reaction'),
  /** wamid of the message reacted to. */
  message_id: wamid,
  /** '' removes an earlier reaction. */
  emoji: z.string().max(16),
  markRead: z.boolean().optional(),
}).strict();

export const sendContent = z.discriminatedUnion('type', [textContent, mediaContent, templateContent, interactiveContent, reactionContent]);
export type SendContent = z.infer<typeof sendContent>;
export type TemplateContent = z.infer<typeof templateContent>;
export type MediaContent = z.infer<typeof mediaContent>;

/** Anything but a template is free-form: only inside the 24-hour window (§6.4). */
export function isFreeForm(content: SendContent): boolean {
  return content.type !== 'template';
}

export const senderSchema = z.object({
  platform: z.string().min(1).max(64),
  id: z.string().min(1).max(256),
  name: z.string().max(256),
}).strict();
export type Sender = z.infer<typeof senderSchema>;

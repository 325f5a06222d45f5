import { z } from 'zod';
import type { WebhookMessage } from '../whatsapp/webhook-payload';

/**
 * The typed `message.body`, one schema per inbound type, in WhatsApp's own field names so a
 * reader can hold it next to Meta's docs. Top-level envelope fields (id, from, context …) are
 * stripped: they have columns of their own. Inner objects stay loose so fields Meta adds later
 * are kept rather than dropped.
 */

const media = { id: z.string().min(1), mime_type: z.string().min(1), sha256: z.string().optional(), url: z.string().optional() };
const captioned = { ...media, caption: z.string().optional() };

const textBody = z.object({ type: z.literal('text'), text: z.looseObject({ body: z.string() }) });
const imageBody = z.object({ type: z.literal('image'), image: z.looseObject(captioned) });
const audioBody = z.object({ type: z.literal('audio'), audio: z.looseObject({ ...media, voice: z.boolean().optional() }) });
const videoBody = z.object({ type: z.literal('video'), video: z.looseObject(captioned) });
const documentBody = z.object({ type: z.literal('document'), document: z.looseObject({ ...captioned, filename: z.string().optional() }) });
const stickerBody = z.object({ type: z.literal('sticker'), sticker: z.looseObject({ ...media, animated: z.boolean().optional() }) });

const locationBody = z.object({
  type: z.literal('location'),
  location: z.looseObject({
    latitude: z.coerce.number(),
    longitude: z.coerce.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
});

const sharedContact = z.looseObject({
  name: z.looseObject({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
  emails: z.array(z.looseObject({ email: z.string().optional(), type: z.string().optional() })).optional(),
  org: z.looseObject({ company: z.string().optional(), department: z.string().optional(), title: z.string().optional() }).optional(),
});
const contactsBody = z.object({ type: z.literal('contacts'), contacts: z.array(sharedContact).min(1) });

/** Flow answers arrive as a JSON string; an object is what a reader wants, the raw string if it is not one. */
const flowResponse = z.string().transform((raw): Record<string, unknown> | string => {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : raw;
  } catch {
    return raw;
  }
});

const interactiveBody = z.object({
  type: z.literal('interactive'),
  interactive: z.discriminatedUnion('type', [
    z.object({ type: z.literal('button_reply'), button_reply: z.looseObject({ id: z.string(), title: z.string() }) }),
    z.object({ type: z.literal('list_reply'), list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }) }),
    z.object({ type: z.literal('nfm_reply'), nfm_reply: z.looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: flowResponse }) }),
  ]),
});

/** A quick-reply tap on a template. */
const buttonBody = z.object({ type: z.literal('button'), button: z.looseObject({ payload: z.string().optional(), text: z.string() }) });

/** `emoji` is absent when the customer removes the reaction. */
const reactionBody = z.object({ type: z.literal('reaction'), reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }) });

const orderBody = z.object({
  type: z.literal('order'),
  order: z.looseObject({
    catalog_id: z.string(),
    text: z.string().optional(),
    product_items: z.array(z.looseObject({
      product_retailer_id: z.string(),
      quantity: z.coerce.number(),
      item_price: z.coerce.number(),
      currency: z.string(),
    })),
  }),
});

const systemBody = z.object({ type: z.literal('system'), system: z.looseObject({ body: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() }) });

/** The customer opened the chat for the first time (conversational components). */
const requestWelcomeBody = z.object({ type: z.literal('request_welcome') });

/** What we store for anything we cannot show: the type it claimed and the message as received. */
const unsupportedBody = z.object({
  type: z.literal('unsupported'),
  originalType: z.string(),
  errors: z.array(z.unknown()).optional(),
  raw: z.unknown(),
});

const knownBody = z.discriminatedUnion('type', [
  textBody, imageBody, audioBody, videoBody, documentBody, stickerBody, locationBody, contactsBody,
  interactiveBody, buttonBody, reactionBody, orderBody, systemBody, requestWelcomeBody,
]);

export const messageBody = z.discriminatedUnion('type', [...knownBody.options, unsupportedBody]);
export type MessageBody = z.infer<typeof messageBody>;
export type MessageType = MessageBody['type'];

const unsupportedDetail = z.object({
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
  errors: z.array(z.unknown()).optional(),
}).catch({});

/** Never throws: an unknown or malformed message becomes an `unsupported` placeholder. */
export function parseMessageBody(message: WebhookMessage): MessageBody {
  if (message.type !== 'unsupported' && message.type !== 'unknown') {
    const parsed = knownBody.safeParse(message);
    if (parsed.success) return parsed.data;
  }
  const detail = unsupportedDetail.parse(message);
  return {
    type: 'unsupported',
    originalType: (message.type === 'unsupported' ? detail.unsupported?.type : undefined) ?? message.type,
    ...(detail.errors ? { errors: detail.errors } : {}),
    raw: message,
  };
}

export interface MediaRef {
  id: string;
  mimeType: string;
  sha256: string | null;
  url: string | null;
  filename: string | null;
}

/** The downloadable attachment of a media message, if it is one. */
export function mediaOf(body: MessageBody): MediaRef | null {
  const item = body.type === 'image' ? body.image
    : body.type === 'audio' ? body.audio
      : body.type === 'video' ? body.video
        : body.type === 'sticker' ? body.sticker
          : body.type === 'document' ? body.document
            : null;
  if (!item) return null;
  return {
    id: item.id,
    mimeType: item.mime_type,
    sha256: item.sha256 ?? null,
    url: item.url ?? null,
    filename: body.type === 'document' ? body.document.filename ?? null : null,
  };
}

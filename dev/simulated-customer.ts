import crypto from 'node:crypto';
import type { MetaFake } from '../test/fakes/meta/meta-fake';
import { fixtureNumber } from '../test/fakes/meta/fake-state';

export interface SimulatedMessage {
  from?: string;
  name?: string;
  text?: string;
  /** A file to send as media: its bytes are served by the fake, as Meta's media host would. */
  media?: { data: Buffer; mimeType: string; filename?: string; caption?: string };
}

const mediaKind = (mime: string) => (mime.startsWith('image/') ? 'image' : mime.startsWith('video/') ? 'video' : mime.startsWith('audio/') ? 'audio' : 'document');

/** Builds the webhook Meta would send for a customer's message and posts it, signed, to Threadline. */
export async function sendAsCustomer(fake: MetaFake, webhookUrl: string, input: SimulatedMessage): Promise<{ status: number; wamid: string }> {
  const wamid = `wamid.SANDBOX_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
  const from = input.from ?? '15550001111';
  const base = { from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)) };
  let message: Record<string, unknown>;
  if (input.media) {
    const media = fake.state.addMedia({ data: input.media.data, mimeType: input.media.mimeType, phoneNumberId: fixtureNumber.phoneNumberId });
    const kind = mediaKind(input.media.mimeType);
    message = {
      ...base,
      type: kind,
      [kind]: {
        id: media.id, mime_type: input.media.mimeType, sha256: media.sha256, url: fake.mediaUrlFor(media.id),
        ...(input.media.caption && kind !== 'audio' ? { caption: input.media.caption } : {}),
        ...(kind === 'document' ? { filename: input.media.filename ?? 'file' } : {}),
      },
    };
  } else {
    message = { ...base, type: 'text', text: { body: input.text ?? 'Hello from the sandbox' } };
  }
  const payload = {
    object: 'whatsapp_business_account',
    entry: [{
      id: fixtureNumber.wabaId,
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: fixtureNumber.displayPhoneNumber, phone_number_id: fixtureNumber.phoneNumberId },
          contacts: [{ profile: { name: input.name ?? 'Sandbox Customer' }, wa_id: from }],
          messages: [message],
        },
      }],
    }],
  };
  return { status: await fake.postWebhook(webhookUrl, payload), wamid };
}

import type { MessageBody } from './message-body';

/**
 * The `message.text` column: what search indexes and what a platform shows when it cannot show
 * the rich body. A text message is its own text; everything else is one readable line.
 */
export function messageText(body: MessageBody): string {
  if (body.type === 'text') return body.text.body;
  return oneLine(describe(body));
}

function describe(body: Exclude<MessageBody, { type: 'text' }>): string {
  switch (body.type) {
    case 'image':
      return labelled('[image]', body.image.caption);
    case 'video':
      return labelled('[video]', body.video.caption);
    case 'audio':
      return body.audio.voice ? '[voice message]' : '[audio]';
    case 'sticker':
      return '[sticker]';
    case 'document':
      return labelled('[document]', join(' — ', body.document.filename, body.document.caption));
    case 'location': {
      const { name, address, latitude, longitude } = body.location;
      return `📍 ${join(', ', name, address) || `${latitude}, ${longitude}`}`;
    }
    case 'contacts':
      return body.contacts.map((c) => {
        const name = c.name?.formatted_name ?? join(' ', c.name?.first_name, c.name?.last_name);
        const phone = c.phones?.[0]?.phone ?? c.phones?.[0]?.wa_id;
        return `👤 ${name || 'Contact'}${phone ? ` (${phone})` : ''}`;
      }).join('; ');
    case 'interactive': {
      const reply = body.interactive;
      if (reply.type === 'button_reply') return reply.button_reply.title;
      if (reply.type === 'list_reply') return join(' — ', reply.list_reply.title, reply.list_reply.description);
      const answers = reply.nfm_reply.response_json;
      if (typeof answers === 'string') return labelled('[form]', reply.nfm_reply.body);
      // The flow token identifies the flow run, not an answer a person gave.
      const shown = Object.entries(answers).filter(([key]) => key !== 'flow_token').map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      return labelled('[form]', shown.join(', ') || reply.nfm_reply.body);
    }
    case 'button':
      return body.button.text;
    case 'reaction':
      return body.reaction.emoji ? `Reacted ${body.reaction.emoji}` : 'Removed a reaction';
    case 'order': {
      const items = body.order.product_items.map((i) => `${i.quantity} × ${i.product_retailer_id} (${i.item_price} ${i.currency})`).join(', ');
      return labelled('🛒 Order:', join(' — ', items, body.order.text));
    }
    case 'system':
      return body.system.body ?? `[system: ${body.system.type ?? 'update'}]`;
    case 'request_welcome':
      return '[opened the chat]';
    case 'unsupported':
      return `[unsupported message: ${body.originalType}]`;
  }
}

function labelled(label: string, detail: string | undefined): string {
  return detail ? `${label} ${detail}` : label;
}

function join(separator: string, ...parts: (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p.trim() !== '').join(separator);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

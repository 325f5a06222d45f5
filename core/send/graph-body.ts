import type { ButtonParameter, SendContent, TemplateContent } from './send-content';

/** A POST /{phone-number-id}/messages body (§4.1), in Meta's key order so logs read like the docs. */
export type GraphMessageBody = Record<string, unknown>;

/**
 * Builds the request Meta documents for each content kind (fixtures send-*.json). `to` is
 * E.164 with `+`: without it Meta prepends the business number's country code (§4.1).
 * Media goes by the id of an upload (`mediaId`), which Meta recommends over links for throughput.
 */
export function graphMessageBody(content: SendContent, to: string, mediaId?: string): GraphMessageBody {
  const envelope: GraphMessageBody = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  // Reactions take no context (§4.2); every other kind may quote a message.
  if (content.type !== 'reaction' && content.replyTo !== undefined) envelope.context = { message_id: content.replyTo };
  switch (content.type) {
    case 'text': {
      const text: Record<string, unknown> = {};
      if (content.preview_url !== undefined) text.preview_url = content.preview_url;
      text.body = content.body;
      return { ...envelope, type: 'text', text };
    }
    case 'media': {
      if (mediaId === undefined) throw new Error('a media send needs the id of its upload');
      const media: Record<string, unknown> = { id: mediaId };
      if (content.filename !== undefined) media.filename = content.filename;
      if (content.caption !== undefined) media.caption = content.caption;
      return { ...envelope, type: content.kind, [content.kind]: media };
    }
    case 'template':
      return { ...envelope, type: 'template', template: templateObject(content) };
    case 'interactive':
      return { ...envelope, type: 'interactive', interactive: content.interactive };
    case 'reaction':
      return { ...envelope, type: 'reaction', reaction: { message_id: content.message_id, emoji: content.emoji } };
  }
}

function templateObject(content: TemplateContent): Record<string, unknown> {
  const components: Record<string, unknown>[] = [];
  if (content.header?.length) components.push({ type: 'header', parameters: content.header });
  if (content.body?.length) components.push({ type: 'body', parameters: content.body });
  for (const button of [...(content.buttons ?? [])].sort((a, b) => a.index - b.index)) components.push(buttonComponent(button));
  const template: Record<string, unknown> = { name: content.name, language: { code: content.language } };
  if (components.length) template.components = components;
  return template;
}

/** One component per button, `index` a string as in Meta's syntax (§4.3). */
function buttonComponent(button: ButtonParameter): Record<string, unknown> {
  const parameters = button.type === 'quick_reply'
    ? [{ type: 'payload', payload: button.payload }]
    : [{ type: 'text', text: button.text }];
  return { type: 'button', sub_type: button.type, index: String(button.index), parameters };
}

/** What a person reads in the thread and what platforms show for an outbound message. */
export function renderText(content: SendContent): string {
  switch (content.type) {
    case 'text': return content.body;
    case 'media': return content.caption ?? `[${content.kind}${content.filename ? `: ${content.filename}` : ''}]`;
    case 'template': return `[template ${content.name} (${content.language})]`;
    case 'interactive': return content.interactive.body.text;
    case 'reaction': return content.emoji === '' ? '[reaction removed]' : content.emoji;
  }
}
